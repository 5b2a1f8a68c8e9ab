import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KeysFileError } from './keys-file-error';
import { parseKeysJson } from './parse-keys-json';

const SECRET_A = 'sk-proj-alpha-0123456789abcdef';
const SECRET_B = 'sk-ant-api03-bravo-0123456789';

const sample = [
  {
    key_id: 'prod-1',
    api_key: SECRET_A,
    model_name: 'gpt-4o',
    provider: 'openai',
    rpm: 500,
    tpm: 30000,
    rpd: 10000,
    active: true,
    tags: { team: 'search', tier: 2 },
    created_at: '2025-03-01T10:00:00Z',
  },
  { key_id: 'old', api_key: 'sk-proj-old-0123456789', provider: 'OpenAI', active: false },
  { key_id: 'claude-main', api_key: ` ${SECRET_B} `, provider: 'claude', model_name: 'claude-sonnet-4' },
];

function errorFor(input: unknown): KeysFileError {
  try {
    parseKeysJson(typeof input === 'string' ? input : JSON.stringify(input));
  } catch (error) {
    if (KeysFileError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a KeysFileError');
}

describe('parseKeysJson', () => {
  it('loads the keys.json format as is, text or parsed value, list or {keys: [...]}', () => {
    for (const input of [JSON.stringify(sample), sample, { keys: sample }]) {
      const loaded = parseKeysJson(input);
      expect(
        loaded.entries.map((entry) => [entry.provider, entry.key.id, entry.active, entry.model]),
      ).toEqual([
        ['openai', 'prod-1', true, 'gpt-4o'],
        ['openai', 'old', false, undefined],
        ['anthropic', 'claude-main', true, 'claude-sonnet-4'],
      ]);
      expect(loaded.keys.openai.map((key) => key.id)).toEqual(['prod-1']);
      expect(loaded.keys.anthropic.map((key) => key.secret)).toEqual([SECRET_B]);
      expect({ ...loaded.keys.openai[0] }).toEqual({
        id: 'prod-1',
        secret: SECRET_A,
        models: ['gpt-4o'],
        limits: { rpm: 500, tpm: 30000, rpd: 10000 },
        tags: ['team=search', 'tier=2'],
      });
      expect(loaded.entries[0]!.tags).toEqual({ team: 'search', tier: '2' });
      expect(loaded.entries[0]!.createdAt).toBe('2025-03-01T10:00:00Z');
    }
  });

  it('masks the secrets in JSON and inspect output', () => {
    const loaded = parseKeysJson(sample);
    const shown = `${JSON.stringify(loaded)} ${inspect(loaded, { depth: 10 })} ${String(loaded.keys.openai[0])}`;
    expect(shown).not.toContain(SECRET_A);
    expect(shown).not.toContain(SECRET_B);
    expect(shown).toContain('prod-1');
  });

  it('lists every problem with its path and never echoes a secret', () => {
    const error = errorFor([
      { key_id: 'a', api_key: 'sk-first-half-secret sk-second-half-secret', provider: 'openai' },
      { key_id: 'b', api_key: 'sk-valid-secret-1234', provider: 'cohere', rpm: -1, tags: ['x'] },
      { api_key: 'sk-valid-secret-5678', provider: 'openai', active: 'yes', created_at: 'last tuesday' },
      { key_id: 'c', api_key: 'sk-line\nbreak-secret', provider: 'gemini', sk_pasted_here_0123456789: 1 },
      { key_id: 'd', api_key: 'sk-dup-one-1234', provider: 'mistral' },
      { key_id: 'd', api_key: 'sk-dup-two-1234', provider: 'mistral' },
    ]);
    expect(error.code).toBe('keys_file_invalid');
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      '[0].api_key: the secret holds whitespace inside it',
      '[1].provider: unknown provider "cohere"; known: openai, anthropic, claude, gemini, google, mistral, deepseek, groq, openrouter, together, together_ai, fireworks, fireworks_ai, xai, cerebras, perplexity, azure, azure_openai, azure-openai',
      '[1].rpm: must be a non-negative number',
      '[1].tags: must be an object of labels, e.g. {"team": "search"}',
      '[2].key_id: is required',
      '[2].active: must be true or false',
      '[2].created_at: must be a date (ISO 8601 text or epoch milliseconds)',
      expect.stringMatching(/^\[3\]: unknown field "sk_p.*"$/),
      '[3].api_key: the secret holds a line break or another control character',
      '[5].key_id: duplicate key id "d" for mistral (also at [4])',
    ]);
    expect(error.message.startsWith('keys.json: 10 problems\nkeys.json: [0].api_key: ')).toBe(true);
    const shown = `${error.message} ${JSON.stringify(error)}`;
    for (const secret of [
      'sk-first',
      'second-half',
      'sk-line',
      'break-secret',
      'sk_pasted_here_0123456789',
    ]) {
      expect(shown).not.toContain(secret);
    }
  });

  it('reports bad JSON by position only, and a wrong top-level shape', () => {
    const bad = errorFor('[{"key_id": "a", "api_key": sk-unquoted-secret}]');
    expect(bad.message).toMatch(/^keys\.json: \(root\): not valid JSON \(at character \d+\)$/);
    expect(bad.message).not.toContain('sk-unquoted');
    expect(errorFor({ providers: {} }).message).toBe(
      'keys.json: (root): must be a list of keys, or an object with a "keys" list',
    );
  });
});
