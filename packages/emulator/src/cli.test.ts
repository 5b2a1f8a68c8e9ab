import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'keypool-emulator-cli-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

interface Run {
  child: ReturnType<typeof spawn>;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Runs `node src/cli.ts` from source (Node 24 type stripping; dev/register-source.ts resolves workspace sources). */
function runCli(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', './dev/register-source.ts', 'src/cli.ts', ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the CLI');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('keypool-emulator CLI', () => {
  it('prints the four base URLs, serves, and exits 0 on SIGINT', async () => {
    const config = join(scratch, 'ok.json');
    await writeFile(config, JSON.stringify({ keys: { 'sk-cli-1111111111111111': { rpm: 5 } } }));
    const run = runCli(['--port', '0', '--config', config]);
    await waitFor(() => run.stdout().includes('mistral'));
    const openai = /openai\s+(http:\/\/127\.0\.0\.1:\d+\/openai\/v1)/.exec(run.stdout())?.[1];
    expect(openai).toBeDefined();
    for (const name of ['anthropic', 'gemini', 'mistral'])
      expect(run.stdout()).toMatch(new RegExp(`${name}\\s+http`));
    const response = await fetch(`${openai}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-cli-1111111111111111' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('4');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('SIGINT, closed after 1 logged requests');
  }, 20_000);

  it('accepts any key without --config', async () => {
    const run = runCli(['--port', '0']);
    await waitFor(() => run.stdout().includes('mistral'));
    const gemini = /gemini\s+(http\S+)/.exec(run.stdout())?.[1];
    const response = await fetch(`${gemini}/v1/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'whatever-key-0000000000' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 20_000);

  it('exits 2 naming the bad field of an invalid config', async () => {
    const config = join(scratch, 'bad.json');
    await writeFile(config, JSON.stringify({ keys: { 'sk-x': { rpm: -1 } } }));
    const run = runCli(['--config', config, '--port', '0']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('keys["sk-x"].rpm: must be >= 0');
  }, 20_000);

  it('--help prints usage and exits 0', async () => {
    const run = runCli(['--help']);
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('Usage: keypool-emulator');
  }, 20_000);
});
