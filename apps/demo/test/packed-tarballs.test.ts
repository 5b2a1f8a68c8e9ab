import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The packages as npm users get them: every published package is packed with `pnpm pack` (workspace versions
 * rewritten, dist/ only), installed with npm into a fresh folder outside the workspace (third-party dependencies
 * from the registry), and used from there by an ESM app and a CommonJS app (every package, with a keys file whose
 * key comes from a secret store), `tsc --strict` projects under
 * `moduleResolution` node16 (CommonJS and ESM files) and bundler, and `npx keypool --help`.
 */

const execFileAsync = promisify(execFile);

/** Runs a command; a failure's error carries what the command printed (tsc prints its errors on stdout). */
async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}\n${stderr}`);
  }
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = fileURLToPath(new URL('./packed/', import.meta.url));
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
// Generous bounds for a busy machine (7 parallel sessions on 2 cores: setup ~100 s, the steps ~110 s at once);
// on a quiet machine the whole file takes well under the 2 minutes of one bound.
const SETUP_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 240_000;
const FIXTURES = [
  'esm-consumer.mjs',
  'cjs-consumer.cjs',
  'typed-consumer.ts',
  'typed-consumer.mts',
  'tsconfig.node16.json',
  'tsconfig.node16-libcheck.json',
  'tsconfig.bundler.json',
];

/** Node and the repo's pnpm first on PATH, as in build-cli.ts. */
const env = {
  ...process.env,
  PATH: [dirname(process.execPath), join(root, '.tools', 'node_modules', '.bin'), process.env.PATH ?? '']
    .filter((entry) => entry !== '')
    .join(delimiter),
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

/** The folders of every package that is published (not private). */
async function publishedPackages(): Promise<{ dir: string; name: string; version: string }[]> {
  const found: { dir: string; name: string; version: string }[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of await readdir(join(root, parent))) {
      const dir = join(root, parent, entry);
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}'));
      if (manifest.name && manifest.private !== true)
        found.push({ dir, name: manifest.name, version: manifest.version });
    }
  }
  return found;
}

let work: string;
let consumer: string;
const tarballs = new Map<string, string>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'keypool-packed-'));
  const packs = join(work, 'tarballs');
  consumer = join(work, 'consumer');
  await mkdir(packs);
  await mkdir(consumer);
  // Packed side by side; each package's tarball is named after it (`keypool-core-0.0.0.tgz`, `keypool-0.0.0.tgz`).
  const packages = await publishedPackages();
  await Promise.all(
    packages.map(({ dir }) => run('pnpm', ['pack', '--pack-destination', packs], { cwd: dir, env })),
  );
  const files = await readdir(packs);
  for (const { name, version } of packages) {
    const file = `${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
    expect(files, name).toContain(file);
    tarballs.set(name, join(packs, file));
  }
  expect(files).toHaveLength(packages.length);
  await writeFile(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
  for (const file of FIXTURES) await copyFile(join(fixtures, file), join(consumer, file));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      '--loglevel=error',
      ...tarballs.values(),
      '@types/node@24',
    ],
    { cwd: consumer, env },
  );
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// The steps after the install are independent: they run at once.
describe.concurrent('the packed tarballs, installed with npm outside the workspace', () => {
  it('pack every published package, with dist/ and no src/ (source maps carry the sources)', async () => {
    expect([...tarballs.keys()].sort()).toContain('keypool');
    expect(tarballs.size).toBeGreaterThanOrEqual(14);
    for (const [name, tarball] of tarballs) {
      const { stdout } = await run('tar', ['-tzf', tarball], { cwd: work, env });
      const files = stdout.split('\n').filter((line) => line !== '');
      expect(
        files.filter((file) => file.startsWith('package/src/')),
        name,
      ).toEqual([]);
      expect(
        files.some((file) => file.startsWith('package/dist/')),
        name,
      ).toBe(true);
    }
    const map = JSON.parse(
      await readFile(join(consumer, 'node_modules/@keypool/core/dist/index.cjs.map'), 'utf8'),
    ) as { sources: string[]; sourcesContent?: (string | null)[] };
    expect(map.sourcesContent?.length).toBe(map.sources.length);
    expect(map.sourcesContent?.every((content) => typeof content === 'string' && content.length > 0)).toBe(
      true,
    );
  });

  it.each([
    ['ESM (import)', 'esm-consumer.mjs'],
    ['CommonJS (require)', 'cjs-consumer.cjs'],
  ])(
    'serve a call through a fallback chain from %s',
    async (_label, file) => {
      const { stdout } = await run(process.execPath, [file], { cwd: consumer, env });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(result.notFunctions).toEqual([]);
      expect(result.configError).toContain('keys[0].limits.rpm: rpm must be >= 0');
      expect(result.served).toMatchObject({
        index: 1,
        provider: 'openai',
        model: 'gpt-4o-mini',
        keyId: 'gpt-1',
      });
      expect(result.text).toContain('packed hello');
      // @keypool/config built a pool from a keys file whose key comes from a secret store (@keypool/secrets).
      expect(result.keysFile).toEqual({ keyId: 'stored', text: 'Echo: from a file', loaded: ['loaded'] });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'compile under tsc --strict, moduleResolution node16 (CommonJS and ESM files), and the CommonJS output runs',
    async () => {
      await run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], { cwd: consumer, env });
      const compiled = await readFile(join(consumer, 'out-node16/typed-consumer.js'), 'utf8');
      expect(compiled).toContain('require("@keypool/openai")');
      const { stdout } = await run(process.execPath, ['out-node16/typed-consumer.js'], {
        cwd: consumer,
        env,
      });
      expect(JSON.parse(stdout)).toMatchObject({ firstId: 'team-a', fromEnv: 0 });
      expect(JSON.parse(stdout).rejected).toContain(
        'unknown pool option "maxAttemps" (did you mean maxAttempts?)',
      );
      const esm = await run(process.execPath, ['out-node16/typed-consumer.mjs'], { cwd: consumer, env });
      expect(JSON.parse(esm.stdout)).toMatchObject({ firstId: 'team-a' });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'type-check under node16 with skipLibCheck off: no error in a @keypool declaration, only known upstream ones',
    async () => {
      // Known upstream problems, outside Keypool's declarations: @ai-sdk/provider imports types of `json-schema`
      // without depending on @types/json-schema, and the Mistral SDK's EventStream predates @types/node 24's
      // ReadableStream iterator. Before the CommonJS declarations imported ESM-only SDK types with
      // resolution-mode import, @keypool/gemini, @keypool/mistral and @keypool/ai-sdk failed here with TS1479.
      const known = ['node_modules/@ai-sdk/provider/', 'node_modules/@mistralai/mistralai/'];
      const output = await run(process.execPath, [tsc, '-p', 'tsconfig.node16-libcheck.json'], {
        cwd: consumer,
        env,
      }).then(
        () => '',
        (error: Error) => error.message,
      );
      const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
      if (output !== '') expect(errors.length, output).toBeGreaterThan(0); // tsc ran and reported, not crashed
      expect(errors.filter((line) => !known.some((path) => line.startsWith(path)))).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'compile under tsc --strict, moduleResolution bundler',
    async () => {
      await run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: consumer, env });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'run `npx keypool --help` from the installed tarball',
    async () => {
      const { stdout } = await run('npx', ['--no-install', 'keypool', '--help'], { cwd: consumer, env });
      expect(stdout).toMatch(/Usage: keypool/);
      expect(stdout).toContain('simulate');
    },
    STEP_TIMEOUT_MS,
  );
});
