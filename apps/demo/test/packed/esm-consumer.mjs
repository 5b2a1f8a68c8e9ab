// An ESM app using the installed tarballs: every package imports, and a call fails over from Anthropic to OpenAI
// through a fallback chain against the emulator. Prints one JSON line for the test to check.

import { createKeypoolModel } from '@keypool/ai-sdk';
import { createAnthropicPool } from '@keypool/anthropic';
import { ConfigError, createKeyPool } from '@keypool/core';
import { createDashboard } from '@keypool/dashboard';
import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { startGateway } from '@keypool/gateway';
import { createGeminiPool } from '@keypool/gemini';
import { keysFromEnv, Vault } from '@keypool/keystore';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool } from '@keypool/openai';
import { instrumentPool } from '@keypool/otel';
import { createRedisStore } from '@keypool/redis';

const exports = {
  createAnthropicPool,
  createKeypoolModel,
  createKeyPool,
  createDashboard,
  startEmulator,
  createFallbackChain,
  startGateway,
  createGeminiPool,
  keysFromEnv,
  Vault,
  createMistralPool,
  createOpenAIPool,
  instrumentPool,
  createRedisStore,
};
const notFunctions = Object.entries(exports).filter(([, value]) => typeof value !== 'function');

let configError = 'none';
try {
  createOpenAIPool({ keys: [{ id: 'a', secret: 'sk-a-0123456789abcdef', limits: { rpm: -1 } }] });
} catch (error) {
  configError = ConfigError.isInstance(error) ? error.message : `not a ConfigError: ${error}`;
}

const emulator = await startEmulator({ acceptAnyKey: true, models: { 'claude-down': { overloaded: true } } });
try {
  const anthropic = createAnthropicPool({
    keys: [{ id: 'claude-1', secret: 'sk-ant-packed-0123456789' }],
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
  });
  const openai = createOpenAIPool({
    keys: [{ id: 'gpt-1', secret: 'sk-packed-0123456789abcd' }],
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
  const chain = createFallbackChain([
    { pool: anthropic, model: 'claude-down' },
    { pool: openai, model: 'gpt-4o-mini' },
  ]);
  const answer = await chain.chat({ model: 'any', messages: [{ role: 'user', content: 'packed hello' }] });
  console.log(JSON.stringify({ notFunctions, configError, served: answer.served, text: answer.text }));
} finally {
  await emulator.close();
}
