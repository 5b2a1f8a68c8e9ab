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
 * from the registry), and used from there by an ESM app, a CommonJS app, `tsc --strict` projects under
 * `moduleResolution` node16 (CommonJS and ESM files) and bundler, and `npx keypool --help`.
 */

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = fileURLToPath(new URL('./packed/', import.meta.url));
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const FIXTURES = [
  'esm-consumer.mjs',
  'cjs-consumer.cjs',
  'typed-consumer.ts',
  'typed-consumer.mts',
  'tsconfig.node16.json',
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
async function publishedPackages(): Promise<{ dir: string; name: string }[]> {
  const found: { dir: string; name: string }[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of await readdir(join(root, parent))) {
      const dir = join(root, parent, entry);
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}'));
      if (manifest.name && manifest.private !== true) found.push({ dir, name: manifest.name });
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
  for (const { dir, name } of await publishedPackages()) {
    const before = new Set(await readdir(packs));
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: dir, env });
    const added = (await readdir(packs)).filter((file) => !before.has(file));
    expect(added, name).toHaveLength(1);
    tarballs.set(name, join(packs, added[0]!));
  }
  await writeFile(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
  for (const file of FIXTURES) await copyFile(join(fixtures, file), join(consumer, file));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...tarballs.values(),
      '@types/node@24',
    ],
    { cwd: consumer, env, maxBuffer: 16 * 1024 * 1024 },
  );
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarballs, installed with npm outside the workspace', () => {
  it('pack every published package, with dist/ and no src/ (source maps carry the sources)', async () => {
    expect([...tarballs.keys()].sort()).toContain('keypool');
    expect(tarballs.size).toBeGreaterThanOrEqual(14);
    for (const [name, tarball] of tarballs) {
      const { stdout } = await run('tar', ['-tzf', tarball], { env });
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
  ])('serve a call through a fallback chain from %s', async (_label, file) => {
    const { stdout } = await run(process.execPath, [file], { cwd: consumer, env, timeout: 60_000 });
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
  });

  it('compile under tsc --strict, moduleResolution node16 (CommonJS and ESM files), and the CommonJS output runs', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], { cwd: consumer, env });
    const compiled = await readFile(join(consumer, 'out-node16/typed-consumer.js'), 'utf8');
    expect(compiled).toContain('require("@keypool/openai")');
    const { stdout } = await run(process.execPath, ['out-node16/typed-consumer.js'], { cwd: consumer, env });
    expect(JSON.parse(stdout)).toMatchObject({ firstId: 'team-a', fromEnv: 0 });
    const esm = await run(process.execPath, ['out-node16/typed-consumer.mjs'], { cwd: consumer, env });
    expect(JSON.parse(esm.stdout)).toMatchObject({ firstId: 'team-a' });
  }, 120_000);

  it('compile under tsc --strict, moduleResolution bundler', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: consumer, env });
  }, 120_000);

  it('run `npx keypool --help` from the installed tarball', async () => {
    const { stdout } = await run('npx', ['--no-install', 'keypool', '--help'], { cwd: consumer, env });
    expect(stdout).toMatch(/Usage: keypool/);
    expect(stdout).toContain('simulate');
  });
});
