// Compiled by tsc --strict in a CommonJS project (module node16: this file becomes require() calls, typed by the
// packages' .d.cts files), as ESM (typed-consumer.mts, the .d.ts files) and under moduleResolution bundler.

import { createKeypoolModel } from '@keypool/ai-sdk';
import { createAnthropicPool } from '@keypool/anthropic';
import { createFromKeysFile, type KeysFileKeypool } from '@keypool/config';
import { ConfigError, type KeyConfig, type KeySnapshot } from '@keypool/core';
import { createPoolEngine, type PoolEngine, prioritySelector } from '@keypool/core/engine';
import { createDashboard } from '@keypool/dashboard';
import type { Emulator } from '@keypool/emulator';
import { createFallbackChain, type FallbackChain } from '@keypool/fallback';
import type { Gateway } from '@keypool/gateway';
import { createGeminiPool } from '@keypool/gemini';
import { keysFromEnv } from '@keypool/keystore';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool, type OpenAIPool } from '@keypool/openai';
import { instrumentPool } from '@keypool/otel';
import { createRedisStore } from '@keypool/redis';
import { loadSecretKeys, type SecretStore, toSecretSource } from '@keypool/secrets';
import { createVaultStore } from '@keypool/secrets/vault';

const keys: KeyConfig[] = [{ id: 'team-a', secret: 'sk-typed-0123456789abcdef', limits: { rpm: 500 } }];
const openai: OpenAIPool = createOpenAIPool({ keys, clientOptions: { baseURL: 'http://127.0.0.1:9/v1' } });
const anthropic = createAnthropicPool({ keys: [{ id: 'claude', secret: 'sk-ant-typed-0123456789' }] });
const chain: FallbackChain = createFallbackChain([
  { pool: anthropic, model: 'claude-sonnet-4-6' },
  { pool: openai, model: 'gpt-4o-mini' },
]);
const snapshot: readonly KeySnapshot[] = openai.snapshot();
const firstId: string | undefined = snapshot[0]?.id;
const fromEnv: number = keysFromEnv({}).openai.length;

let rejected = '';
try {
  // @ts-expect-error: the types are real, not `any`: a misspelt option is a compile error (and a ConfigError).
  createOpenAIPool({ keys, maxAttemps: 3 });
} catch (error) {
  rejected = ConfigError.isInstance(error) ? error.message : String(error);
}

// The keys-file and secret-store packages type their inputs: a store is checked against SecretStore.
const store: SecretStore = {
  kind: 'typed',
  read: async (name: string) => ({ value: `sk-${name}-0123456789`, version: '1' }),
};
const fromFile: Promise<KeysFileKeypool> = createFromKeysFile(
  { providers: { openai: { keys: [{ id: 'stored', from: 'store:key' }] } } },
  { sources: [toSecretSource(store, 'store')] },
);
// The lean engine's entry types its options too (built here, not run: no call is made).
const engine = (engineKeys: KeyConfig[]): PoolEngine<unknown> =>
  createPoolEngine<unknown>({ adapter: openai.adapter, keys: engineKeys, strategy: prioritySelector() });

const unused: unknown[] = [
  fromFile.then((built) => built.close()),
  engine,
  loadSecretKeys,
  createVaultStore,
  createKeypoolModel,
  createDashboard,
  createGeminiPool,
  createMistralPool,
  instrumentPool,
  createRedisStore,
  ConfigError,
  chain,
];
let emulator: Emulator | undefined;
let gateway: Gateway | undefined;

console.log(
  JSON.stringify({
    rejected,
    firstId,
    fromEnv,
    bound: unused.length,
    emulator: emulator ?? null,
    gateway: gateway ?? null,
  }),
);
