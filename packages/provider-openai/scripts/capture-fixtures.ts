/**
 * Captures the emulator's real OpenAI error responses (status, headers, body) into src/__fixtures__/, so the mapper's
 * table tests build real SDK error objects from real bodies. Run: node scripts/capture-fixtures.ts
 */
import '../bench/source-hooks.ts';

const { writeFileSync } = await import('node:fs');
const { startEmulator } = await import('@keypool/emulator');

const GOOD = 'sk-fixture-good-0000000000000001';
const INVALID = 'sk-fixture-invalid-000000000002';
const LIMITED = 'sk-fixture-limited-000000000003';
const TOKENS = 'sk-fixture-tokens-0000000000004';
const QUOTA = 'sk-fixture-quota-00000000000005';
const emulator = await startEmulator({
  windowMs: 60_000,
  keys: {
    [GOOD]: {},
    [INVALID]: { invalid: true },
    [LIMITED]: { rpm: 1 },
    [TOKENS]: { tpm: 20 },
    [QUOTA]: { quotaExhausted: true },
  },
  models: {
    'gpt-overloaded': { overloaded: true },
    'gpt-broken': { serverError: true },
    'gpt-small': { contextWindow: 5 },
    'gpt-filtered': { contentFilter: true },
    'gpt-missing': { notFound: true },
  },
});

const VOLATILE = new Set(['date', 'connection', 'keep-alive', 'content-length']);
async function capture(
  name: string,
  key: string,
  model: string,
  content = 'hello there world',
): Promise<void> {
  const response = await fetch(`${emulator.baseURLs.openai}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  const headers: Record<string, string> = {};
  for (const [header, value] of response.headers) if (!VOLATILE.has(header)) headers[header] = value;
  const fixture = { source: 'emulator', status: response.status, headers, body: await response.json() };
  writeFileSync(
    new URL(`../src/__fixtures__/${name}.json`, import.meta.url),
    `${JSON.stringify(fixture, null, 2)}\n`,
  );
}

await capture('emulator-invalid-api-key', INVALID, 'gpt-4o');
await capture('emulator-rate-limit-ok', LIMITED, 'gpt-4o');
await capture('emulator-rate-limit-requests', LIMITED, 'gpt-4o');
await capture('emulator-rate-limit-ok', TOKENS, 'gpt-4o');
await capture('emulator-rate-limit-tokens', TOKENS, 'gpt-4o');
await capture('emulator-insufficient-quota', QUOTA, 'gpt-4o');
await capture('emulator-overloaded', GOOD, 'gpt-overloaded');
await capture('emulator-server-error', GOOD, 'gpt-broken');
await capture(
  'emulator-context-length',
  GOOD,
  'gpt-small',
  'a prompt that is longer than five tokens for sure',
);
await capture('emulator-content-filter', GOOD, 'gpt-filtered');
await capture('emulator-model-not-found', GOOD, 'gpt-missing');
await emulator.close();
