import { createAnthropicPool } from '@keypool/anthropic';
import { createFallbackChain } from '@keypool/fallback';
import { createOpenAIPool } from '@keypool/openai';
import OpenAI from 'openai';
import { aiFallback, aiRetry, langchain } from './ai-library-contenders.ts';
import {
  type BenchKey,
  type Contender,
  callWith,
  chatBody,
  MAX_TOKENS,
  prompt,
  type Setup,
  sdkFetch,
} from './contender-kit.ts';
import { gatewayFetch } from './tracing.ts';

export type { BenchKey, CallResult, Contender, Runner, Setup } from './contender-kit.ts';

export const keypool = (variant: 'learned' | 'configured' | 'scenario' = 'scenario'): Contender => ({
  id: variant === 'scenario' ? 'keypool' : `keypool-${variant}`,
  label: variant === 'scenario' ? 'Keypool' : `Keypool (limits ${variant})`,
  settings:
    'createOpenAIPool, strategy health, maxWaitMs per scenario (see notes), limits learned from x-ratelimit headers ' +
    'unless "limits configured"; scenario 6: createFallbackChain(openai pool -> anthropic pool), default breaker',
  async create(setup) {
    const limits = variant === 'scenario' ? setup.keypoolLimits : variant;
    const pool = createOpenAIPool({
      keys: setup.keys.map((key) => ({
        id: key.id,
        secret: key.secret,
        ...(limits === 'configured' && key.rpm !== undefined ? { limits: { rpm: key.rpm } } : {}),
      })),
      windowMs: setup.windowMs,
      maxWaitMs: setup.maxWaitMs,
      clientOptions: { baseURL: setup.openaiBaseURL, fetch: sdkFetch(setup) },
    });
    if (setup.fallback === undefined) {
      return {
        call: (index, signal) =>
          callWith(setup, () =>
            pool.client.chat.completions.create(chatBody(setup.model, index), { signal }),
          ),
      };
    }
    const anthropic = createAnthropicPool({
      keys: setup.fallback.keys.map((key) => ({ id: key.id, secret: key.secret })),
      windowMs: setup.windowMs,
      clientOptions: { baseURL: setup.anthropicBaseURL },
    });
    const chain = createFallbackChain([
      { pool, model: setup.model },
      { pool: anthropic, model: setup.fallback.model },
    ]);
    const openSpans: { from: number; until: number }[] = [];
    chain.on('breaker.open', (event) => {
      if (event.step.index === 0) openSpans.push({ from: Date.now(), until: event.until ?? Date.now() });
    });
    chain.on('breaker.half_open', (event) => {
      const last = openSpans.at(-1);
      if (event.step.index === 0 && last !== undefined) last.until = Math.min(last.until, Date.now());
    });
    return {
      call: (index, signal) =>
        callWith(setup, () =>
          chain.chat({
            model: '',
            messages: [{ role: 'user', content: prompt(index) }],
            maxTokens: MAX_TOKENS,
            signal,
          }),
        ),
      extra: () => ({ breakerOpenSpans: openSpans }),
    };
  },
});

/** The bare `openai` SDK with one key and its default retries (2, honouring retry-after-ms). */
export const bareSdk: Contender = {
  id: 'bare-sdk',
  label: 'openai SDK, 1 key',
  settings: 'new OpenAI({ apiKey: key-1 }) with its default maxRetries (2, backoff honouring retry-after-ms)',
  cannot: { outage: 'no fallback to another provider: every call fails after its own retries' },
  async create(setup) {
    const client = new OpenAI({
      apiKey: setup.keys[0]!.secret,
      baseURL: setup.openaiBaseURL,
      fetch: sdkFetch(setup),
    });
    return {
      call: (index, signal) =>
        callWith(setup, () => client.chat.completions.create(chatBody(setup.model, index), { signal })),
    };
  },
};

/** A naive round-robin: one client per key, the next key for each call, no state, SDK retries left at default. */
export const roundRobin: Contender = {
  id: 'round-robin',
  label: 'round-robin SDKs',
  settings:
    'one new OpenAI({ apiKey }) per key, next key per call, no shared state, SDK default maxRetries (2)',
  cannot: { outage: 'no fallback to another provider: every call fails after its own retries' },
  async create(setup) {
    const clients = setup.keys.map(
      (key) => new OpenAI({ apiKey: key.secret, baseURL: setup.openaiBaseURL, fetch: sdkFetch(setup) }),
    );
    let next = 0;
    return {
      call: (index, signal) => {
        const client = clients[next++ % clients.length]!;
        return callWith(setup, () =>
          client.chat.completions.create(chatBody(setup.model, index), { signal }),
        );
      },
    };
  },
};

/** Portkey's gateway config: load-balance over the keys, each group falls back over the others, retries on 429/5xx. */
export function portkeyConfig(setup: Setup): Record<string, unknown> {
  const openaiTarget = (key: BenchKey) => ({
    provider: 'openai',
    api_key: key.secret,
    custom_host: setup.openaiBaseURL,
  });
  const failover = [401, 403, 429, 500, 502, 503, 504];
  const balanced = {
    strategy: { mode: 'loadbalance' },
    targets: setup.keys.map((_, first) => ({
      strategy: { mode: 'fallback', on_status_codes: failover },
      targets: setup.keys.map((__, offset) =>
        openaiTarget(setup.keys[(first + offset) % setup.keys.length]!),
      ),
    })),
  };
  const retry = { attempts: 2, on_status_codes: [429, 500, 502, 503, 504], use_retry_after_header: true };
  if (setup.fallback === undefined) return { retry, ...balanced };
  const fallbackKey = setup.fallback.keys[0]!;
  return {
    retry,
    strategy: { mode: 'fallback', on_status_codes: failover },
    targets: [
      balanced,
      {
        provider: 'anthropic',
        api_key: fallbackKey.secret,
        custom_host: `${setup.anthropicBaseURL}/v1`,
        override_params: { model: setup.fallback.model },
      },
    ],
  };
}

export const portkey: Contender = {
  id: 'portkey',
  label: 'Portkey gateway',
  settings:
    'local @portkey-ai/gateway (npm build as shipped) on 127.0.0.1, x-portkey-config: loadbalance over K fallback ' +
    'groups (each starts on another key, falls back over the rest on 401/403/429/5xx), retry { attempts: 2, ' +
    'on_status_codes [429, 5xx], use_retry_after_header: true }; scenario 6 adds an anthropic target as fallback; ' +
    'the client is the openai SDK with maxRetries 0',
  async create(setup) {
    if (setup.gateway === undefined) throw new Error('the Portkey gateway is not running');
    const client = new OpenAI({
      apiKey: 'unused-the-gateway-config-holds-the-keys',
      baseURL: setup.gateway.baseURL,
      maxRetries: 0,
      timeout: 30_000,
      defaultHeaders: { 'x-portkey-config': JSON.stringify(portkeyConfig(setup)) },
      ...(setup.trace === false ? {} : { fetch: gatewayFetch() }),
    });
    return {
      call: (index, signal) =>
        callWith(
          setup,
          () => client.chat.completions.create(chatBody(setup.model, index), { signal }),
          (trace) => trace.gatewayRetried === true,
        ),
    };
  },
};

/** One `@ai-sdk/openai` provider per key, each with a distinct name (ai-retry tells models apart by provider+id). */

export const ALL_CONTENDERS: readonly Contender[] = [
  keypool(),
  bareSdk,
  roundRobin,
  portkey,
  aiRetry,
  aiFallback,
  langchain,
];
