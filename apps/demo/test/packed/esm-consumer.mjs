// An ESM app using the installed tarballs: every package imports, a call fails over from Anthropic to OpenAI
// through a fallback chain against the emulator, and a keys file whose key lives in a secret store builds a pool
// that answers (@keypool/config with @keypool/secrets). Prints one JSON line for the test to check.

import { createKeypoolModel } from '@keypool/ai-sdk';
import { createAnthropicPool } from '@keypool/anthropic';
import { createFromKeysFile } from '@keypool/config';
import { ConfigError, createKeyPool } from '@keypool/core';
import { createPoolEngine, prioritySelector } from '@keypool/core/engine';
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
import { loadSecretKeys, toSecretSource } from '@keypool/secrets';
import { createVaultStore } from '@keypool/secrets/vault';

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
  createFromKeysFile,
  createPoolEngine,
  prioritySelector,
  loadSecretKeys,
  toSecretSource,
  createVaultStore,
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

  // A secret store of the app's own (the shape @keypool/secrets' stores have), read through its keys-file source.
  const store = {
    kind: 'packed-store',
    read: async (name) => ({ value: `sk-store-${name}-0123456789`, version: '1' }),
  };
  const loaded = await loadSecretKeys(store, [{ id: 'loaded', ref: 'direct' }]);
  const fromFile = await createFromKeysFile(
    { providers: { openai: { keys: [{ id: 'stored', from: 'store:file-key' }] } } },
    {
      sources: [toSecretSource(store, 'store')],
      clientOptions: { openai: { baseURL: emulator.baseURLs.openai } },
    },
  );
  let keysFile;
  try {
    const fileAnswer = await fromFile
      .pool('openai')
      .chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from a file' }] });
    keysFile = { keyId: fileAnswer.keyId, text: fileAnswer.text, loaded: loaded.map((key) => key.id) };
  } finally {
    await fromFile.close();
  }
  console.log(
    JSON.stringify({ notFunctions, configError, served: answer.served, text: answer.text, keysFile }),
  );
} finally {
  await emulator.close();
}
