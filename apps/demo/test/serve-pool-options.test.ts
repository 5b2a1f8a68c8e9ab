import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { CLI, runKeypool } from './run-keypool';

const REVOKED = 'sk-servepool-revoked-0123456789ab';
const HEALTHY = 'sk-servepool-healthy-0123456789ab';

/** A keys file serving two OpenAI keys (the revoked one first) with the given `pool:` lines. */
function keysFile(upstream: string, pool: string[]): string {
  return [
    'providers:',
    '  openai:',
    '    pool:',
    ...pool.map((line) => `      ${line}`),
    '    keys:',
    '      - { id: revoked, from: env:SERVE_REVOKED_KEY }',
    '      - { id: healthy, from: env:SERVE_HEALTHY_KEY }',
    'gateway:',
    '  port: 0',
    `  upstreams: { openai: "${upstream}" }`,
    '',
  ].join('\n');
}

describe('keypool serve: the pool options of the keys file', () => {
  it('applies every pool option of the file (here maxAttempts: no rotation after the first failure)', async () => {
    const emulator = await startEmulator({ keys: { [REVOKED]: { invalid: true }, [HEALTHY]: {} } });
    const directory = await mkdtemp(join(tmpdir(), 'keypool-serve-pool-'));
    const config = join(directory, 'keypool.yaml');
    await writeFile(
      config,
      keysFile(emulator.baseURLs.openai, [
        'strategy: round-robin',
        'maxAttempts: 1',
        'maxWaitMs: 0',
        'adaptiveLimits: false',
        'cooldown: { baseMs: 1000, maxMs: 5000 }',
        // Options a keys file could not hold before: accepted, and passed to the pools.
        'failureThreshold: 1',
        'retryBackoff: { baseMs: 100, factor: 3 }',
      ]),
    );
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--json'], {
      env: {
        PATH: process.env.PATH,
        HOME: directory,
        SERVE_REVOKED_KEY: REVOKED,
        SERVE_HEALTHY_KEY: HEALTHY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      const ready = await new Promise<{ openaiBaseURL: string }>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
      });
      const openai = new OpenAI({ baseURL: ready.openaiBaseURL, apiKey: 'unused', maxRetries: 0 });
      const outcomes = await Promise.allSettled(
        ['one', 'two'].map((word) =>
          openai.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: word }],
          }),
        ),
      );
      // Without the file's maxAttempts the call that met the revoked key would rotate to the healthy one and succeed.
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(emulator.requestsFor(REVOKED)).toHaveLength(1);
      expect(emulator.requestsFor(HEALTHY)).toHaveLength(1);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const secret of [REVOKED, HEALTHY]) {
        expect(stdout).not.toContain(secret);
        expect(stderr).not.toContain(secret);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await emulator.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses a bad pool option with its path in the file, before serving', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'keypool-serve-pool-'));
    try {
      const config = join(directory, 'keypool.yaml');
      await writeFile(config, keysFile('http://127.0.0.1:9', ['maxAttempts: 0', 'strategy: fastest']));
      const result = await runKeypool(['serve', '--config', config], {
        env: { SERVE_REVOKED_KEY: REVOKED, SERVE_HEALTHY_KEY: HEALTHY },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('providers.openai.pool.maxAttempts');
      expect(result.stderr).toContain('providers.openai.pool.strategy');
      expect(result.stdout).not.toContain('http://');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
