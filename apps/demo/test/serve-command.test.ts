import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { CLI, runKeypool } from './run-keypool';

const UPSTREAM_DEAD = 'sk-serve-dead-0123456789abcdef';
const UPSTREAM_GOOD = 'sk-serve-good-0123456789abcdef';
const VIRTUAL_KEY = 'kp-serve-test-5c1d9e2a7b';

describe('keypool serve', () => {
  it('prints the sha256 form of a virtual key read from stdin', async () => {
    const result = await runKeypool(['serve', '--hash-key'], { input: `${VIRTUAL_KEY}\n` });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(result.stdout).not.toContain(VIRTUAL_KEY);
  });

  it('serves a keys file as a gateway, logs requests without secrets, and exits 0 on SIGTERM', async () => {
    const emulator = await startEmulator({
      keys: { [UPSTREAM_DEAD]: { invalid: true }, [UPSTREAM_GOOD]: {} },
    });
    const directory = await mkdtemp(join(tmpdir(), 'keypool-serve-'));
    const hash = (await runKeypool(['serve', '--hash-key'], { input: VIRTUAL_KEY })).stdout.trim();
    const config = join(directory, 'keypool.yaml');
    await writeFile(
      config,
      [
        'providers:',
        '  openai:',
        '    keys:',
        '      - { id: dead, from: env:SERVE_DEAD_KEY }',
        '      - { id: good, from: env:SERVE_GOOD_KEY }',
        'gateway:',
        '  port: 0',
        `  upstreams: { openai: "${emulator.baseURLs.openai}" }`,
        '  models: { fast: openai/gpt-4o-mini }',
        `  virtualKeys: [{ id: team-a, hash: "${hash}", models: [fast] }]`,
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--json', '--log'], {
      env: {
        PATH: process.env.PATH,
        HOME: directory,
        SERVE_DEAD_KEY: UPSTREAM_DEAD,
        SERVE_GOOD_KEY: UPSTREAM_GOOD,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      const ready = await new Promise<{ url: string; openaiBaseURL: string }>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
      });
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const openai = new OpenAI({ baseURL: ready.openaiBaseURL, apiKey: VIRTUAL_KEY, maxRetries: 0 });
      for (const word of ['one', 'two']) {
        const answer = await openai.chat.completions.create({
          model: 'fast',
          messages: [{ role: 'user', content: word }],
        });
        expect(answer.choices[0]?.message.content).toContain(word);
      }
      await expect(
        new OpenAI({ baseURL: ready.openaiBaseURL, apiKey: 'kp-wrong', maxRetries: 0 }).models.list(),
      ).rejects.toMatchObject({ status: 401 });
      expect(emulator.requestsFor(UPSTREAM_DEAD)).toHaveLength(1);
      expect(emulator.requestsFor(UPSTREAM_GOOD)).toHaveLength(2);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/POST \/v1\/chat\/completions 200 fast vk=team-a key=good/);
      expect(stderr).toMatch(/GET \/v1\/models 401/);
      for (const secret of [UPSTREAM_DEAD, UPSTREAM_GOOD, VIRTUAL_KEY]) {
        expect(stdout).not.toContain(secret);
        expect(stderr).not.toContain(secret);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await emulator.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
