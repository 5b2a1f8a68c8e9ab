import { createAnthropicPool } from '@keypool/anthropic';
import { startEmulator } from '@keypool/emulator';
import { createGeminiPool } from '@keypool/gemini';
import { createOpenAIPool } from '@keypool/openai';
import { expect, it } from 'vitest';
import { createFallbackChain } from '../src/index';

// The README's example, as written there (only `console.log` replaced by collecting lines): it must keep running.
it('runs the README example: Claude -> GPT -> Gemini against the emulator', async () => {
  const log: string[] = [];
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
  chain.on('fallback.step', (event) => log.push(`${event.from.name} -> ${event.to.name}: ${event.reason}`));
  const answer = await chain.chat({ model: '', messages: [{ role: 'user', content: 'Hello!' }] });
  log.push(`${answer.text} (served by ${answer.served.name}, key ${answer.served.maskedKey})`);
  await emulator.close();
  // --- README example end
  expect(log).toEqual([
    'anthropic:claude-sonnet -> openai:gpt-4o: overloaded',
    expect.stringMatching(/^Echo: Hello! \(served by openai:gpt-4o, key sk\S+\)$/),
  ]);
});
