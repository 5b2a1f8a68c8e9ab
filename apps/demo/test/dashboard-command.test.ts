import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInTerminal } from './run-in-terminal';
import { CLI, jsonOf, runKeypool, tempDir } from './run-keypool';

const TOKEN = 'dashboard-test-token-42';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `keypool dashboard ... --port 0 --json` and resolves with its URL once it listens. */
async function startDashboard(
  args: string[],
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'dashboard', ...args, '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve((JSON.parse(stdout.split('\n')[0]!) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`keypool dashboard exited early with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: () => {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      return exited;
    },
  };
}

async function savedState(directory: string): Promise<string> {
  const state = join(directory, 'state.json');
  const result = await runKeypool([
    'simulate',
    '--calls',
    '40',
    '--latency',
    '20',
    '--quiet',
    '--save-state',
    state,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return state;
}

describe('keypool dashboard and status --url', () => {
  it('serves a state file; status --url reads it live, with the token, once and with --watch', async () => {
    const dir = await tempDir();
    try {
      const state = await savedState(dir.path);
      const board = await startDashboard(['--state', state, '--token', TOKEN]);
      expect(board.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(`${board.url}status`)).status).toBe(401);
      const page = await fetch(`${board.url}?token=${TOKEN}`);
      expect(await page.text()).toContain('<title>Keypool: ');

      const once = await runKeypool(['status', '--url', board.url, '--token', TOKEN, '--json']);
      expect(once.code, once.stderr).toBe(0);
      const document = jsonOf<{
        source: string;
        keys: { provider: string; id: string; status: string; masked: string }[];
      }>(once);
      expect(document.source).toBe('url');
      expect(new Set(document.keys.map((key) => key.provider))).toEqual(
        new Set(['anthropic', 'openai', 'gemini', 'mistral']),
      );
      expect(document.keys.find((key) => key.id === 'anthropic-1')?.status).toBe('disabled');

      const human = await runKeypool(['status', '--url', `${board.url}status`], {
        env: { KEYPOOL_DASHBOARD_TOKEN: TOKEN },
      });
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/PROVIDER\s+ID\s+KEY\s+STATUS/);
      expect(human.stdout).toMatch(/anthropic-1\s+\S+\s+disabled/);

      const noToken = await runKeypool(['status', '--url', board.url]);
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('wants a token');

      const watched = await runKeypool([
        'status',
        '--url',
        board.url,
        '--token',
        TOKEN,
        '--watch',
        '--count',
        '2',
        '--interval',
        '200',
        '--json',
      ]);
      expect(watched.code, watched.stderr).toBe(0);
      const lines = watched.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const line of lines) expect((JSON.parse(line) as { keys: unknown[] }).keys).toHaveLength(12);

      const terminal = await runInTerminal(
        ['status', '--url', board.url, '--token', TOKEN, '--watch', '--count', '3', '--interval', '200'],
        {
          rows: 10,
          columns: 100,
        },
      );
      expect(terminal.code).toBe(0);
      const frames = terminal.output.split('\u001b[J').slice(1);
      expect(frames).toHaveLength(3);
      for (const frame of frames) expect(frame.split('\n').length - 1).toBeLessThanOrEqual(9);
      expect(terminal.output).toContain('more lines');
      expect(terminal.output).not.toContain(TOKEN);

      expect(await board.stop()).toBe(0);
    } finally {
      await dir.remove();
    }
  });

  it('status --state reads pool.toJSON() documents too', async () => {
    const dir = await tempDir();
    try {
      const state = await savedState(dir.path);
      const file = JSON.parse(await readFile(state, 'utf8')) as { pools: { state: unknown }[] };
      const toJson = join(dir.path, 'pools.json');
      await writeFile(toJson, JSON.stringify(file.pools.map((pool) => pool.state)));
      const result = await runKeypool(['status', '--state', toJson, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const keys = jsonOf<{ keys: { id: string; masked: string; status: string; calls: number }[] }>(
        result,
      ).keys;
      expect(keys).toHaveLength(12);
      expect(keys.find((key) => key.id === 'anthropic-1')).toMatchObject({ status: 'disabled' });
      expect(keys.every((key) => key.masked.startsWith('#'))).toBe(true);
      expect(keys.reduce((sum, key) => sum + key.calls, 0)).toBeGreaterThan(0);

      const single = join(dir.path, 'one.json');
      await writeFile(single, JSON.stringify(file.pools[0]?.state));
      expect((await runKeypool(['status', '--state', single])).stdout).toMatch(/anthropic-1/);
      await writeFile(single, '{"hello": 1}');
      expect((await runKeypool(['status', '--state', single])).code).toBe(2);
    } finally {
      await dir.remove();
    }
  });

  it('serves a running simulation live: counts grow and /events streams its events', async () => {
    const board = await startDashboard(['--simulate', 'revoked', '--calls', '400']);
    const calls = async () => {
      const status = (await (await fetch(`${board.url}status`)).json()) as {
        pools: { keys: { counts: { requests: number } }[] }[];
        chains: unknown[];
      };
      expect(status.chains).toHaveLength(1);
      return status.pools.flatMap((pool) => pool.keys).reduce((sum, key) => sum + key.counts.requests, 0);
    };
    const first = await calls();
    await expect.poll(calls, { timeout: 15_000 }).toBeGreaterThan(first);
    const controller = new AbortController();
    const events = await fetch(`${board.url}events`, { signal: controller.signal });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    let text = '';
    while (!text.includes('data: {')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(/"source":"(pool|chain|health)"/);
    expect(await board.stop()).toBe(0);
  });

  it('refuses to start without a source', async () => {
    const result = await runKeypool(['dashboard']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--state <file> or --simulate');
  });
});
