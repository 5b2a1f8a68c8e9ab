// The same app as esm-consumer.mjs, in CommonJS: require() of every package.
const { createAnthropicPool } = require('@keypool/anthropic');
const { createKeypoolModel } = require('@keypool/ai-sdk');
const { createFromKeysFile } = require('@keypool/config');
const { ConfigError, createKeyPool } = require('@keypool/core');
const { createPoolEngine, prioritySelector } = require('@keypool/core/engine');
const { createDashboard } = require('@keypool/dashboard');
const { startEmulator } = require('@keypool/emulator');
const { createFallbackChain } = require('@keypool/fallback');
const { startGateway } = require('@keypool/gateway');
const { createGeminiPool } = require('@keypool/gemini');
const { keysFromEnv, Vault } = require('@keypool/keystore');
const { createMistralPool } = require('@keypool/mistral');
const { createOpenAIPool } = require('@keypool/openai');
const { instrumentPool } = require('@keypool/otel');
const { createRedisStore } = require('@keypool/redis');
const { loadSecretKeys, toSecretSource } = require('@keypool/secrets');
const { createVaultStore } = require('@keypool/secrets/vault');

async function main() {
  const exported = {
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
  const notFunctions = Object.entries(exported).filter(([, value]) => typeof value !== 'function');

  let configError = 'none';
  try {
    createOpenAIPool({ keys: [{ id: 'a', secret: 'sk-a-0123456789abcdef', limits: { rpm: -1 } }] });
  } catch (error) {
    configError = ConfigError.isInstance(error) ? error.message : `not a ConfigError: ${error}`;
  }

  const emulator = await startEmulator({
    acceptAnyKey: true,
    models: { 'claude-down': { overloaded: true } },
  });
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
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
