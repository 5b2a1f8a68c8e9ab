import { createKeypoolModel } from '@keypool/ai-sdk';
import { createAnthropicPool } from '@keypool/anthropic';
import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createOpenAIPool } from '@keypool/openai';
import { generateText, stepCountIs, tool } from 'ai';
import { z } from 'zod';

const emulator = await startEmulator({
  acceptAnyKey: true,
  models: { 'claude-sonnet-4-5': { overloaded: true } },
});
const claude = createAnthropicPool({
  keys: [{ id: 'claude-1', secret: 'sk-ant-demo-0001' }],
  clientOptions: { baseURL: emulator.baseURLs.anthropic },
});
const gpt = createOpenAIPool({
  keys: [{ id: 'gpt-1', secret: 'sk-demo-0002' }],
  clientOptions: { baseURL: emulator.baseURLs.openai },
});
const chain = createFallbackChain([
  { pool: claude, model: 'claude-sonnet-4-5', name: 'claude' },
  { pool: gpt, model: 'gpt-4o', name: 'gpt' },
]);
const weather = tool({
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});
const { text, providerMetadata } = await generateText({
  model: createKeypoolModel(chain),
  tools: { get_weather: weather },
  prompt: 'call get_weather {"city":"Paris"}',
  stopWhen: stepCountIs(3),
  maxRetries: 0, // the pool and the chain own retries
});
console.log(text, providerMetadata?.keypool);
await emulator.close();
