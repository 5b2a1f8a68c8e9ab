import { readFileSync } from 'node:fs';
import { createAnthropicPool } from '@keypool/anthropic';
import { readmeExampleParts } from '@keypool/core/testing';
import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createGeminiPool } from '@keypool/gemini';
import { createOpenAIPool } from '@keypool/openai';
import { expect, it, onTestFinished, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

// The README's first example, as written there (imports included), with what it logs collected.
it('runs the README example as written: Claude -> GPT -> Gemini against the emulator', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const { missingImports, body, region } = readmeExampleParts(block, self);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const log: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    log.push(String(line));
  });
  onTestFinished(() => spy.mockRestore());
  // --- README example start
  const emulator = await startEmulator({
    acceptAnyKey: true,
    models: { 'claude-sonnet': { overloaded: true } },
  });
  const claude = createAnthropicPool({
    keys: [{ id: 'claude-1', secret: 'sk-ant-demo-0001' }],
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
  });
  const gpt = createOpenAIPool({
    keys: [{ id: 'gpt-1', secret: 'sk-demo-0002' }],
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
  const gemini = createGeminiPool({
    keys: [{ id: 'gemini-1', secret: 'AIza-demo-0003' }],
    clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini } },
  });

  const chain = createFallbackChain(
    [
      { pool: claude, model: 'claude-sonnet', contextWindow: 200_000 },
      { pool: gpt, model: 'gpt-4o', contextWindow: 128_000 },
      { pool: gemini, model: 'gemini-2.5-flash', contextWindow: 1_000_000 },
    ],
    { deadlineMs: 30_000, attemptTimeoutMs: 10_000 },
  );
  chain.on('fallback.step', (event) =>
    console.log(`${event.from.name} -> ${event.to.name}: ${event.reason}`),
  );
  const answer = await chain.chat({ model: '', messages: [{ role: 'user', content: 'Hello!' }] });
  console.log(`${answer.text} (served by ${answer.served.name}, key ${answer.served.maskedKey})`);
  await emulator.close();
  // --- README example end
  expect(log).toEqual([
    'anthropic:claude-sonnet -> openai:gpt-4o: overloaded',
    expect.stringMatching(/^Echo: Hello! \(served by openai:gpt-4o, key sk\S+\)$/),
  ]);
});
