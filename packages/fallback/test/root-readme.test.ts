import { readFileSync } from 'node:fs';
import { createAnthropicPool } from '@keypool/anthropic';
import { readmeExampleParts } from '@keypool/core/testing';
import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createGeminiPool } from '@keypool/gemini';
import { createOpenAIPool } from '@keypool/openai';
import { afterEach, expect, it, onTestFinished, vi } from 'vitest';

// The repository README's "30-second example" blocks, as written there, against the emulator: the environment
// variables they read point at it (the openai SDK takes OPENAI_BASE_URL when no baseURL is given).
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const blocks = [...readme.slice(readme.indexOf('## 30-second example')).matchAll(/```ts\n([\s\S]*?)```/g)]
  .slice(0, 2)
  .map((match) => match[1] ?? '');
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function collectLogs(): unknown[][] {
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args);
  });
  onTestFinished(() => spy.mockRestore());
  return logged;
}

it('runs the README 30-second example as written: two keys, one rate limited, the call served', async () => {
  const { missingImports, body, region } = readmeExampleParts(blocks[0]!, self);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const emulator = await startEmulator({ windowMs: 60_000 });
  onTestFinished(() => emulator.close());
  process.env.OPENAI_API_KEY = 'sk-root-readme-a-0123456789abcdef';
  process.env.OPENAI_API_KEY_2 = 'sk-root-readme-b-0123456789abcdef';
  emulator.addKey(process.env.OPENAI_API_KEY, { rpm: 0 });
  emulator.addKey(process.env.OPENAI_API_KEY_2);
  process.env.OPENAI_BASE_URL = emulator.baseURLs.openai;
  const logged = collectLogs();
  // --- README example start
  const pool = createOpenAIPool({
    keys: [
      { id: 'team-a', secret: process.env.OPENAI_API_KEY!, limits: { rpm: 500 } },
      { id: 'team-b', secret: process.env.OPENAI_API_KEY_2!, limits: { rpm: 500 } },
    ],
  });
  pool.on('key.cooldown', (event) =>
    console.log(`${event.keyId} cooling for ${event.durationMs} ms (${event.category})`),
  );

  // The real OpenAI client surface; every call goes through the rotation engine.
  const completion = await pool.client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hi' }],
  });
  console.log(completion.choices[0]?.message.content, pool.snapshot());
  // --- README example end
  const [cooled, [text, snapshot]] = [logged.slice(0, -1), logged.at(-1)!];
  expect(text).toBe('Echo: Say hi');
  expect((snapshot as { id: string }[]).map((key) => key.id)).toEqual(['team-a', 'team-b']);
  // Whichever key the pool tried first, a rate-limited team-a is cooled and never answers.
  for (const [line] of cooled) expect(line).toMatch(/^team-a cooling for \d+ ms \(rate_limit\)$/);
});

it('runs the README chain example as written: Claude down, GPT answers', async () => {
  const { missingImports, body, region } = readmeExampleParts(
    blocks[1]!,
    self.slice(self.lastIndexOf('  // --- README example start')),
  );
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const emulator = await startEmulator({
    acceptAnyKey: true,
    models: { 'claude-sonnet-4-6': { overloaded: true } },
  });
  onTestFinished(() => emulator.close());
  const anthropic = createAnthropicPool({
    keys: [{ id: 'claude', secret: 'sk-ant-root-readme-0123456789' }],
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
  });
  const openai = createOpenAIPool({
    keys: [{ id: 'gpt', secret: 'sk-root-readme-gpt-0123456789' }],
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
  const gemini = createGeminiPool({
    keys: [{ id: 'gemini', secret: 'AIzaRootReadme0123456789' }],
    clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini } },
  });
  const logged = collectLogs();
  // --- README example start
  const chain = createFallbackChain([
    { pool: anthropic, model: 'claude-sonnet-4-6' },
    { pool: openai, model: 'gpt-4o' },
    { pool: gemini, model: 'gemini-2.5-flash' },
  ]);
  const answer = await chain.chat({ model: 'any', messages: [{ role: 'user', content: 'Hello' }] });
  console.log(answer.text, answer.served);
  // --- README example end
  expect(logged).toEqual([['Echo: Hello', expect.objectContaining({ provider: 'openai', model: 'gpt-4o' })]]);
});
