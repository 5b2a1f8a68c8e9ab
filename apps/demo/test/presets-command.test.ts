import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, neverPrint, runKeypool, tempDir } from './run-keypool';

interface ChatJson {
  ok: boolean;
  text: string;
  served: { name: string; provider: string; keyId: string };
}

const GROQ = 'gsk-cli-groq-main-0123456789abcdefgh';
const GROQ_ENV = 'gsk-cli-groq-env-0123456789abcdefgh';
const AZURE = 'azcli0123456789abcdef0123456789ab';
neverPrint(GROQ, GROQ_ENV, AZURE);

describe('keypool with OpenAI-compatible presets and Azure', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let emulator: Emulator;
  beforeAll(async () => {
    dir = await tempDir();
    emulator = await startEmulator({ keys: { [GROQ]: {}, [GROQ_ENV]: {}, [AZURE]: {} } });
  });
  afterAll(async () => {
    await emulator?.close();
    await dir?.remove();
  });

  it('adds and lists a groq key, then chats through it with --provider groq', async () => {
    const vault = join(dir.path, 'vault.json');
    const env = { KEYPOOL_PASSPHRASE: 'presets-pass' };
    const added = await runKeypool(['keys', 'add', 'groq', 'main', '--vault', vault], { env, input: GROQ });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('added groq key "main"');

    const listed = await runKeypool(['keys', 'list', 'groq', '--vault', vault, '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(jsonOf<{ keys: { provider: string; id: string }[] }>(listed).keys).toEqual([
      expect.objectContaining({ provider: 'groq', id: 'main' }),
    ]);
    const table = await runKeypool(['keys', 'list', '--vault', vault], { env });
    expect(table.stdout).toMatch(/groq\s+main\s+gsk-/);

    const chat = await runKeypool(
      [
        'chat',
        'Hello groq',
        '--provider',
        'groq',
        '--model',
        'llama-3.3-70b',
        '--vault',
        vault,
        '--base-url',
        `groq=${emulator.baseURLs.openai}`,
        '--json',
      ],
      { env },
    );
    expect(chat.code, chat.stderr).toBe(0);
    expect(jsonOf<ChatJson>(chat)).toMatchObject({
      ok: true,
      text: 'Echo: Hello groq',
      served: { name: 'groq:llama-3.3-70b', provider: 'groq', keyId: 'main' },
    });
    expect(emulator.requestsFor(GROQ).at(-1)).toMatchObject({ model: 'llama-3.3-70b' });
  });

  it('finds GROQ_API_KEY in the environment and serves a groq chain step', async () => {
    const before = emulator.requestsFor(GROQ_ENV).length;
    const chat = await runKeypool(
      [
        'chat',
        'Hi',
        '--env-only',
        '--chain',
        'groq:llama-3.1-8b-instant',
        '--base-url',
        `groq=${emulator.baseURLs.openai}`,
      ],
      { env: { GROQ_API_KEY: GROQ_ENV } },
    );
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toBe('Echo: Hi\n');
    expect(chat.stderr).toContain('served by groq:llama-3.1-8b-instant with key env:GROQ_API_KEY');
    expect(emulator.requestsFor(GROQ_ENV)).toHaveLength(before + 1);
  });

  it('skips Azure in the automatic chain when its key has no endpoint, and serves with the others', async () => {
    const chat = await runKeypool(
      ['chat', 'Hi all', '--env-only', '--base-url', `groq=${emulator.baseURLs.openai}`],
      {
        env: { GROQ_API_KEY: GROQ_ENV, AZURE_OPENAI_API_KEY: AZURE },
      },
    );
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toBe('Echo: Hi all\n');
    expect(chat.stderr).toContain('skipping azure: ');
    expect(chat.stderr).toContain('AZURE_OPENAI_ENDPOINT');
    expect(chat.stderr).toContain('served by groq:llama-3.1-8b-instant with key env:GROQ_API_KEY');
    // Named in a chain, the same Azure key is an error that says what is missing.
    const named = await runKeypool(['chat', 'Hi', '--env-only', '--chain', 'azure'], {
      env: { AZURE_OPENAI_API_KEY: AZURE },
    });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('AZURE_OPENAI_ENDPOINT');
    // keys test: that key is reported as an error, the others are tested.
    const tested = await runKeypool(
      ['keys', 'test', '--env-only', '--base-url', `groq=${emulator.baseURLs.openai}`, '--json'],
      { env: { GROQ_API_KEY: GROQ_ENV, AZURE_OPENAI_API_KEY: AZURE } },
    );
    expect(tested.code).toBe(1);
    const verdicts = jsonOf<{ keys: { provider: string; verdict: string; message?: string }[] }>(tested).keys;
    expect(verdicts.map((result) => `${result.provider} ${result.verdict}`)).toEqual([
      'groq valid',
      'azure error',
    ]);
    expect(verdicts[1]?.message).toContain('AZURE_OPENAI_ENDPOINT');
  });

  it('chats through Azure and a preset from a keys file with their settings', async () => {
    const file = join(dir.path, 'keypool.json');
    await writeFile(
      file,
      JSON.stringify({
        providers: {
          groq: { baseURL: emulator.baseURLs.openai, keys: [{ id: 'g', from: 'env:CLI_GROQ' }] },
          azure: {
            endpoint: emulator.azureOpenAIEndpoint,
            apiVersion: '2024-10-21',
            deployment: 'gpt-4o-prod',
            keys: [{ id: 'east', from: 'env:CLI_AZURE' }],
          },
        },
        chain: [
          { provider: 'azure', model: 'gpt-4o' },
          { provider: 'groq', model: 'llama-3.3-70b' },
        ],
      }),
    );
    const env = { CLI_GROQ: GROQ, CLI_AZURE: AZURE };
    const chat = await runKeypool(['chat', 'Hello azure', '--keys', file, '--json'], { env });
    expect(chat.code, chat.stderr).toBe(0);
    expect(jsonOf<ChatJson>(chat)).toMatchObject({
      text: 'Echo: Hello azure',
      served: { provider: 'azure-openai', keyId: 'east' },
    });
    expect(emulator.requestsFor(AZURE).at(-1)).toMatchObject({
      provider: 'azure-openai',
      path: '/azure/openai/deployments/gpt-4o-prod/chat/completions',
    });
    const groq = await runKeypool(['chat', 'Hello again', '--keys', file, '--provider', 'groq'], { env });
    expect(groq.code, groq.stderr).toBe(0);
    expect(groq.stderr).toContain('served by groq:');
  });

  it('--emulator serves a preset and Azure offline with fake keys', async () => {
    const groq = await runKeypool(['chat', 'Hi groq', '--emulator', '--provider', 'groq', '--json']);
    expect(groq.code, groq.stderr).toBe(0);
    expect(jsonOf<ChatJson>(groq)).toMatchObject({
      text: 'Echo: Hi groq',
      served: { provider: 'groq', keyId: 'groq-1' },
    });
    const state = join(dir.path, 'azure-state.json');
    const azure = await runKeypool([
      'chat',
      'Hi azure',
      '--emulator',
      '--chain',
      'azure:gpt-4o-mini',
      '--save-state',
      state,
      '--json',
    ]);
    expect(azure.code, azure.stderr).toBe(0);
    expect(jsonOf<ChatJson>(azure)).toMatchObject({ served: { provider: 'azure-openai', keyId: 'azure-1' } });
    // `keys stats azure` finds the pool saved under its label, azure-openai.
    const stats = await runKeypool(['keys', 'stats', 'azure', '--state', state, '--json']);
    expect(stats.code, stats.stderr).toBe(0);
    const keys = jsonOf<{ keys: { provider: string; id: string }[] }>(stats).keys;
    expect(keys.map((key) => `${key.provider}/${key.id}`).sort()).toEqual([
      'azure-openai/azure-1',
      'azure-openai/azure-2',
    ]);
  });

  it('refuses a mistyped provider with a did-you-mean (exit 2)', async () => {
    const add = await runKeypool(['keys', 'add', 'grok', 'x', '--vault', join(dir.path, 'other.json')], {
      env: { KEYPOOL_PASSPHRASE: 'x' },
      input: GROQ,
    });
    expect(add.code).toBe(2);
    expect(add.stderr).toContain('unknown provider "grok" (did you mean "xai"?)');
    const chat = await runKeypool(['chat', 'Hi', '--env-only', '--provider', 'groqq']);
    expect(chat.code).toBe(2);
    expect(chat.stderr).toContain('unknown provider "groqq" (did you mean "groq"?)');
  });
});
