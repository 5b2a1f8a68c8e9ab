import { createKeypoolModel } from '@keypool/ai-sdk';
import { createAnthropicPool } from '@keypool/anthropic';
import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createOpenAIPool } from '@keypool/openai';
import { generateText, stepCountIs, tool } from 'ai';
import { z } from 'zod';

const emulator = await startEmulator({ acceptAnyKey: true, models: { claude: { overloaded: true } } });
const urls = emulator.baseURLs;
const keys = (id: string) => [{ id, secret: `sk-demo-key-${id}` }];
const claude = createAnthropicPool({ keys: keys('claude-1'), clientOptions: { baseURL: urls.anthropic } });
const gpt = createOpenAIPool({ keys: keys('gpt-1'), clientOptions: { baseURL: urls.openai } });
const chain = createFallbackChain([
  { pool: claude, model: 'claude' },
  { pool: gpt, model: 'gpt-4o' },
]);
const weather = tool({
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, c: 21 }),
});
const { text, providerMetadata } = await generateText({
  model: createKeypoolModel(chain),
  tools: { get_weather: weather },
  prompt: 'call get_weather {"city":"Paris"}',
  stopWhen: stepCountIs(3),
  maxRetries: 0, // the pool and the chain own retries
});
// biome-ignore lint/suspicious/noConsole: an example prints its answer
console.log(text, providerMetadata?.keypool);
await emulator.close();
