import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from './vault';

const WRITER = fileURLToPath(new URL('./__fixtures__/vault-writer.mjs', import.meta.url));
const PASSPHRASE = 'concurrency passphrase';

let directory: string;
let path: string;
/** Node's compile cache for the writer processes: the first one fills it, so the 20 others start in half the CPU. */
let compileCache: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-vault-concurrency-'));
  compileCache = await mkdtemp(join(tmpdir(), 'keypool-compile-cache-'));
  path = join(directory, 'vault.json');
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
  await rm(compileCache, { recursive: true, force: true });
});

/** Runs the writer fixture in its own `node` process; resolves with its exit code, signal and stderr. */
function runWriter(
  action: 'add' | 'crash',
  id: string,
  secret: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, action, path, id, secret], {
      env: { ...process.env, KEYPOOL_TEST_PASSPHRASE: PASSPHRASE, NODE_COMPILE_CACHE: compileCache },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const vault = () => new Vault({ path, passphrase: PASSPHRASE, scrypt: { N: 1024, r: 8, p: 1 }, env: {} });
const secretFor = (index: number) => `sk-concurrent-${String(index).padStart(4, '0')}-abcdefghijklmnop`;

describe('Vault across processes', () => {
  it('loses nothing when 20 processes add a key at the same time', async () => {
    const seed = await runWriter('add', 'seed', 'sk-seed-0123456789abcdefghij');
    expect(seed, seed.stderr).toMatchObject({ code: 0, signal: null });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => runWriter('add', `writer-${index}`, secretFor(index))),
    );
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, signal: null });

    const entries = await vault().list('openai');
    expect(entries.map((entry) => entry.id).sort()).toEqual(
      ['seed', ...Array.from({ length: 20 }, (_, index) => `writer-${index}`)].sort(),
    );
    for (let index = 0; index < 20; index++) {
      expect(await vault().getSecret('openai', `writer-${index}`)).toBe(secretFor(index));
    }
    expect(await readdir(directory)).toEqual(['vault.json']);
  }, 120_000);

  it('keeps the old file when a writer is killed mid-write, and the next writer recovers', async () => {
    await vault().add({ provider: 'openai', id: 'before', secret: 'sk-before-0123456789abcdefgh' });
    const before = await readFile(path);

    const crashed = await runWriter('crash', 'lost', 'sk-lost-0123456789abcdefghijk');
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');

    // The crash left its lock and its temporary file behind, and the vault exactly as it was.
    const left = (await readdir(directory)).sort();
    expect(left).toContain('vault.json.lock');
    expect(left.some((name) => /^\.vault\.json\.\d+\.[0-9a-f]+\.tmp$/.test(name))).toBe(true);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect((await vault().list()).map((entry) => entry.id)).toEqual(['before']);

    // The next writer takes over the dead process's lock at once and cleans up.
    const started = Date.now();
    await vault().add({ provider: 'openai', id: 'after', secret: 'sk-after-0123456789abcdefghi' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await vault().list()).map((entry) => entry.id)).toEqual(['before', 'after']);
    expect(await readdir(directory)).toEqual(['vault.json']);
  }, 60_000);
});
