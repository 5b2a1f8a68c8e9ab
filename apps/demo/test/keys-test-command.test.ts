import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, jsonOf, neverPrint, runKeypool, tempDir } from './run-keypool';

const PASSPHRASE = 'keys-test-passphrase';
const KEYS = {
  valid: CANARY,
  invalid: 'sk-invalid-key-aaaaaaaaaaaaaaaaaaaaaa',
  limited: 'sk-limited-key-bbbbbbbbbbbbbbbbbbbbbb',
  quota: 'sk-quota-key-cccccccccccccccccccccccc',
  geminiGood: 'AIza-good-gemini-dddddddddddddddddddd',
  geminiRevoked: 'AIza-revoked-gemini-eeeeeeeeeeeeeeeeee',
};
neverPrint(...Object.values(KEYS), PASSPHRASE);

interface TestedKey {
  provider: string;
  id: string;
  masked: string;
  verdict: string;
  category?: string;
  status?: number;
}

describe('keypool keys test (against an emulator started by the test)', () => {
  let emulator: Emulator;
  let dir: { path: string; remove: () => Promise<void> };
  let vault: string;
  let baseUrls: string[];
  const env = { KEYPOOL_PASSPHRASE: PASSPHRASE };

  beforeAll(async () => {
    emulator = await startEmulator({
      windowMs: 60_000,
      keys: {
        [KEYS.valid]: {},
        [KEYS.invalid]: { invalid: true },
        [KEYS.limited]: { rpm: 0 },
        [KEYS.quota]: { quotaExhausted: true },
        [KEYS.geminiGood]: {},
        [KEYS.geminiRevoked]: { revokeAfter: 0 },
      },
    });
    baseUrls = Object.entries(emulator.baseURLs).flatMap(([provider, url]) => [
      '--base-url',
      `${provider}=${url}`,
    ]);
    dir = await tempDir();
    vault = join(dir.path, 'vault.json');
    const add = [
      ['openai', 'valid', KEYS.valid],
      ['openai', 'invalid', KEYS.invalid],
      ['openai', 'limited', KEYS.limited],
      ['anthropic', 'quota', KEYS.quota],
      ['gemini', 'good', KEYS.geminiGood],
      ['gemini', 'revoked', KEYS.geminiRevoked],
    ];
    for (const [provider, id, secret] of add) {
      const result = await runKeypool(['keys', 'add', provider!, id!, '--vault', vault], {
        env,
        input: secret,
      });
      expect(result.code).toBe(0);
    }
  });
  afterAll(async () => {
    await emulator?.close();
    await dir?.remove();
  });

  it('reports each key valid, invalid, rate-limited or quota, in one parallel run, and exits 1', async () => {
    const result = await runKeypool(['keys', 'test', '--vault', vault, ...baseUrls, '--json'], { env });
    expect(result.code).toBe(1);
    const report = jsonOf<{ ok: boolean; counts: Record<string, number>; keys: TestedKey[] }>(result);
    expect(report.ok).toBe(false);
    const verdicts = Object.fromEntries(report.keys.map((key) => [`${key.provider}/${key.id}`, key.verdict]));
    expect(verdicts).toEqual({
      'openai/valid': 'valid',
      'openai/invalid': 'invalid',
      'openai/limited': 'rate-limited',
      'anthropic/quota': 'quota',
      'gemini/good': 'valid',
      'gemini/revoked': 'invalid',
    });
    expect(report.counts).toEqual({ valid: 2, invalid: 2, 'rate-limited': 1, quota: 1, error: 0 });
    expect(report.keys.find((key) => key.id === 'invalid')).toMatchObject({ category: 'auth', status: 401 });
    expect(report.keys.find((key) => key.id === 'valid')?.masked).toBe('sk-c...mnop');
    // Progress went to stderr, one line per key; stdout held only the JSON.
    expect(result.stderr).toContain('testing 6 keys');
    // Exactly one request per key reached the provider.
    for (const secret of Object.values(KEYS)) expect(emulator.requestsFor(secret)).toHaveLength(1);
  });

  it('tests one provider only, exits 0 when every key is valid, and prints a table', async () => {
    const result = await runKeypool(['keys', 'test', 'gemini', '--vault', vault, ...baseUrls], {
      env,
    });
    expect(result.code).toBe(1); // gemini/revoked is invalid
    expect(result.stdout).toMatch(/gemini\s+good\s+AIza\.\.\.dddd\s+valid/);
    expect(result.stdout).toMatch(/gemini\s+revoked\s+\S+\s+invalid/);

    const onlyValid = await runKeypool(['keys', 'test', '--env-only', ...baseUrls, '--json'], {
      env: { OPENAI_API_KEY: KEYS.valid },
    });
    expect(onlyValid.code).toBe(0);
    expect(jsonOf(onlyValid)).toMatchObject({ ok: true, counts: { valid: 1 } });
  });

  it('exits 4 when there are no keys to test', async () => {
    const result = await runKeypool(['keys', 'test', 'mistral', '--vault', vault, ...baseUrls], { env });
    expect(result.code).toBe(4);
  });
});
