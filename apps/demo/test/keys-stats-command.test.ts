import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailureRecord, KeySnapshot } from '@keypool/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, jsonOf, runKeypool, tempDir } from './run-keypool';

interface StatsDocument {
  source: string;
  now: number;
  keys: {
    provider: string;
    id: string;
    masked: string;
    status: string;
    calls: number;
    successes: number;
    failed: number;
    failures: Record<string, number>;
    failureRate: number | null;
    lastUsedAt?: number;
    lastFailureAt?: number;
    lastFailure?: FailureRecord;
    cooldownRemainingMs?: number;
  }[];
  totals: {
    provider: string;
    keys: number;
    calls: number;
    successes: number;
    failures: Record<string, number>;
  }[];
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs the demo simulation (a revoked key, rate limits, an outage) and saves its pools' state. */
async function simulatedState(directory: string): Promise<string> {
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

/** `keypool dashboard --state <file> --port 0`, resolved with its URL once it listens. */
async function startDashboard(state: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'dashboard', '--state', state, '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  children.push(child);
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve((JSON.parse(stdout.split('\n')[0]!) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`keypool dashboard exited early with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

describe('keypool keys stats / report', () => {
  it('prints per-key statistics and per-provider totals from a state file, text and --json', async () => {
    const dir = await tempDir();
    try {
      const state = await simulatedState(dir.path);
      const file = JSON.parse(await readFile(state, 'utf8')) as {
        pools: { provider: string; snapshot: KeySnapshot[] }[];
      };
      const result = await runKeypool(['keys', 'stats', '--state', state, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const stats = jsonOf<StatsDocument>(result);
      expect(stats.source).toBe('state');
      const saved = file.pools.flatMap((pool) =>
        pool.snapshot.map((key) => ({ provider: pool.provider, key })),
      );
      expect(stats.keys).toHaveLength(saved.length);
      for (const { provider, key } of saved) {
        const row = stats.keys.find((entry) => entry.provider === provider && entry.id === key.id);
        expect(row?.calls).toBe(key.counts.requests);
        expect(row?.failures).toEqual(key.counts.failures);
        expect(row?.lastUsedAt).toBe(key.lastUsedAt);
      }
      // The revoked key: disabled, its last failure an auth failure kept in its history.
      const revoked = stats.keys.find((key) => key.id === 'anthropic-1');
      expect(revoked?.status).toBe('disabled');
      expect(revoked?.lastFailure).toMatchObject({ category: 'auth', status: 401 });
      expect(revoked?.lastFailureAt).toBe(revoked?.lastFailure?.at);
      expect(revoked?.failureRate).toBeGreaterThan(0);
      // Totals per provider add the keys up.
      for (const total of stats.totals) {
        const keys = stats.keys.filter((key) => key.provider === total.provider);
        expect(total.keys).toBe(keys.length);
        expect(total.calls).toBe(keys.reduce((sum, key) => sum + key.calls, 0));
        expect(total.successes).toBe(keys.reduce((sum, key) => sum + key.successes, 0));
      }

      const text = await runKeypool(['report', '--state', state]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/PROVIDER\s+ID\s+KEY\s+STATUS\s+CALLS\s+OK\s+FAILED\s+RATE\s+FAILURES/);
      expect(text.stdout).toMatch(/anthropic-1\s+\S+\s+disabled/);
      expect(text.stdout).toMatch(/anthropic\/anthropic-1\s+\S+ ago\s+auth 401/);
      expect(text.stdout).toMatch(/anthropic: 3 keys \(.*1 disabled.*\), \d+ calls/);

      const onlyOne = jsonOf<StatsDocument>(
        await runKeypool(['keys', 'stats', 'openai', '--state', state, '--json']),
      );
      expect(new Set(onlyOne.keys.map((key) => key.provider))).toEqual(new Set(['openai']));
    } finally {
      await dir.remove();
    }
  });

  it('reads pool.toJSON() documents and a running dashboard too', async () => {
    const dir = await tempDir();
    try {
      const state = await simulatedState(dir.path);
      const file = JSON.parse(await readFile(state, 'utf8')) as { pools: { state: unknown }[] };
      const toJson = join(dir.path, 'pools.json');
      await writeFile(toJson, JSON.stringify(file.pools.map((pool) => pool.state)));
      const fromJson = jsonOf<StatsDocument>(
        await runKeypool(['keys', 'stats', '--state', toJson, '--json']),
      );
      expect(fromJson.keys.find((key) => key.id === 'anthropic-1')?.lastFailure).toMatchObject({
        category: 'auth',
      });

      const board = await startDashboard(state);
      const live = await runKeypool(['report', '--url', board.url, '--json']);
      expect(live.code, live.stderr).toBe(0);
      const fromUrl = jsonOf<StatsDocument>(live);
      expect(fromUrl.source).toBe('url');
      expect(fromUrl.keys.map((key) => key.id).sort()).toEqual(fromJson.keys.map((key) => key.id).sort());
      expect(fromUrl.keys.find((key) => key.id === 'anthropic-1')?.lastFailure).toMatchObject({
        category: 'auth',
      });
      await board.stop();
    } finally {
      await dir.remove();
    }
  });

  it('status and keys list show last used and last failure', async () => {
    const dir = await tempDir();
    try {
      const state = await simulatedState(dir.path);
      const status = await runKeypool(['status', '--state', state]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/LATENCY\s+LAST USED\s+LAST FAILURE\s+REASON/);
      expect(status.stdout).toMatch(/anthropic-1\s.*disabled.*\d.*ago/);
      expect(status.stdout).toMatch(/^openai: 3 keys/m);
      const json = jsonOf<{ keys: { lastUsedAt?: number }[]; totals: { provider: string }[] }>(
        await runKeypool(['status', '--state', state, '--json']),
      );
      expect(json.keys.some((key) => typeof key.lastUsedAt === 'number')).toBe(true);
      expect(json.totals.map((total) => total.provider).sort()).toEqual([
        'anthropic',
        'gemini',
        'mistral',
        'openai',
      ]);

      const vault = join(dir.path, 'vault.json');
      const env = { KEYPOOL_PASSPHRASE: 'stats-test-passphrase' };
      const added = await runKeypool(['keys', 'add', 'anthropic', 'anthropic-1', '--vault', vault], {
        env,
        input: 'sk-ant-stats-test-0123456789abcdefghij',
      });
      expect(added.code, added.stderr).toBe(0);
      const listed = await runKeypool(['keys', 'list', '--state', state, '--vault', vault], { env });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/CALLS\s+LAST USED\s+LAST FAILURE/);
      expect(listed.stdout).toMatch(/anthropic-1\s.*\d+\s+\S+ ago\s+\S+ ago/);
    } finally {
      await dir.remove();
    }
  });

  it('runs the README commands as written (the --url one is tested above)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### `keys stats [provider]` / `report`'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block
      .split('\n')
      .filter((line) => line.startsWith('keypool ') && !line.includes('--url'))
      .map((line) =>
        line
          .replace(/\s+#.*$/, '')
          .split(/\s+/)
          .slice(1),
      );
    expect(commands).toHaveLength(3);
    const dir = await tempDir();
    try {
      const outputs: string[] = [];
      for (const args of commands) {
        const result = await runKeypool(args, { cwd: dir.path });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        outputs.push(result.stdout);
      }
      expect(outputs[1]).toContain('totals:');
      const json = JSON.parse(outputs[2] ?? '') as StatsDocument;
      expect(new Set(json.keys.map((key) => key.provider))).toEqual(new Set(['anthropic']));
    } finally {
      await dir.remove();
    }
  });

  it('says what is missing: no source is a usage error, a missing file is not found', async () => {
    const none = await runKeypool(['keys', 'stats']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--state <file>');
    const missing = await runKeypool(['report', '--state', '/nonexistent/state.json']);
    expect(missing.code).toBe(4);
    const both = await runKeypool(['report', '--state', 'a', '--url', 'http://127.0.0.1:1/']);
    expect(both.code).toBe(2);
  });
});
