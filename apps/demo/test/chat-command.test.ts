import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, jsonOf, neverPrint, runKeypool, tempDir } from './run-keypool';

interface ChatJson {
  ok: boolean;
  text: string;
  served: { name: string; provider: string; keyId: string; maskedKey: string };
  attempts: { name: string; outcome: string; category?: string }[];
}

describe('keypool chat', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('--emulator answers offline and names who served it', async () => {
    const result = await runKeypool(['chat', 'Hello there', '--emulator']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Echo: Hello there\n');
    expect(result.stderr).toMatch(
      /served by anthropic:claude-haiku-4-5 with key anthropic-1 \(sk-c\.\.\.\w{4}\)/,
    );
  });

  it('--emulator falls back past an overloaded model, streams, and reports every attempt in --json', async () => {
    const config = join(dir.path, 'emulator.json');
    await writeFile(config, JSON.stringify({ models: { 'claude-haiku-4-5': { overloaded: true } } }));
    const result = await runKeypool([
      'chat',
      'Stream me',
      '--emulator',
      '--emulator-config',
      config,
      '--chain',
      'anthropic,openai:gpt-4.1-mini',
      '--stream',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const answer = jsonOf<ChatJson>(result);
    expect(answer).toMatchObject({
      ok: true,
      text: 'Echo: Stream me',
      served: { name: 'openai:gpt-4.1-mini' },
    });
    expect(answer.attempts.at(0)).toMatchObject({
      name: 'anthropic:claude-haiku-4-5',
      outcome: 'failure',
      category: 'overloaded',
    });
    expect(answer.attempts.at(-1)).toMatchObject({ outcome: 'success' });
    expect(result.stderr).toContain('fallback anthropic:claude-haiku-4-5 -> openai:gpt-4.1-mini');
  });

  describe('with keys from the vault, env or a keys file, against a real emulator', () => {
    let emulator: Emulator;
    const openaiKey = 'sk-chat-openai-key-1111111111111111';
    neverPrint(openaiKey);
    beforeAll(async () => {
      emulator = await startEmulator({ keys: { [CANARY]: { invalid: true }, [openaiKey]: {} } });
    });
    afterAll(async () => {
      await emulator?.close();
    });

    it("uses vault and env keys, rotates past an invalid one, and saves the pools' state", async () => {
      const vault = join(dir.path, 'chat-vault.json');
      const env = { KEYPOOL_PASSPHRASE: 'chat-pass' };
      expect(
        (await runKeypool(['keys', 'add', 'openai', 'broken', '--vault', vault], { env, input: CANARY }))
          .code,
      ).toBe(0);
      const state = join(dir.path, 'chat-state.json');
      const result = await runKeypool(
        [
          'chat',
          'Hi',
          '--vault',
          vault,
          '--chain',
          'openai:gpt-4o-mini',
          '--base-url',
          `openai=${emulator.baseURLs.openai}`,
          '--save-state',
          state,
          '--json',
        ],
        { env: { ...env, OPENAI_API_KEY: openaiKey } },
      );
      expect(result.code, result.stderr).toBe(0);
      const answer = jsonOf<ChatJson>(result);
      expect(answer.served).toMatchObject({ provider: 'openai', keyId: 'env:OPENAI_API_KEY' });
      expect(answer.attempts.map((attempt) => attempt.outcome)).toEqual(['failure', 'success']);
      const status = await runKeypool(['status', '--state', state, '--json']);
      const keys = jsonOf<{ keys: { id: string; status: string }[] }>(status).keys;
      expect(keys).toEqual([
        expect.objectContaining({ id: 'broken', status: 'disabled' }),
        expect.objectContaining({ id: 'env:OPENAI_API_KEY', status: 'active' }),
      ]);
    });

    it('exits 1 when no step can serve, listing the attempts', async () => {
      const file = join(dir.path, 'keypool.json');
      await writeFile(
        file,
        JSON.stringify({ providers: { openai: { keys: [{ id: 'only', from: 'env:MY_BROKEN_KEY' }] } } }),
      );
      const result = await runKeypool(
        ['chat', 'Hi', '--keys', file, '--base-url', `openai=${emulator.baseURLs.openai}`, '--json'],
        { env: { MY_BROKEN_KEY: CANARY } },
      );
      expect(result.code).toBe(1);
      expect(jsonOf(result)).toMatchObject({ ok: false, error: { code: 'chain_exhausted' } });
      expect(result.stderr).toContain('key only (sk-c...mnop)  failure auth');
    });

    it('exits 2 when no provider has keys', async () => {
      const result = await runKeypool(['chat', 'Hi', '--env-only']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--emulator');
    });
  });
});
