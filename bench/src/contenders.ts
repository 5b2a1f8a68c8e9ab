/**
 * The contenders: what a user would pick instead of Keypool, each set up over the same keys against the emulator.
 * Every contender makes the same call (one chat completion, `max_tokens` 8) and reports whether it was served.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropicPool } from '@keypool/anthropic';
import { createFallbackChain } from '@keypool/fallback';
import { createOpenAIPool } from '@keypool/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, type LanguageModel } from 'ai';
import { createFallback } from 'ai-fallback';
import { createRetryableModel, error as onError } from 'ai-retry/language-model';
import OpenAI from 'openai';
import type { Gateway } from './portkey.ts';
import { type CallTrace, gatewayFetch, traced, tracingFetch, type UpstreamAttempt } from './tracing.ts';

export interface BenchKey {
  id: string;
  secret: string;
  /** The key's requests per window, when the scenario gives it one (Keypool's "configured limits" use it). */
  rpm?: number;
}

/** Everything a contender needs to set itself up for one scenario. */
export interface Setup {
  openaiBaseURL: string;
  anthropicBaseURL: string;
  keys: readonly BenchKey[];
  model: string;
  /** When set, contenders that can fall back across providers fall back to this Anthropic model and keys. */
  fallback?: { model: string; keys: readonly BenchKey[] };
  windowMs: number;
  /** Keypool only: configure `limits: { rpm }` from the keys, or let the pool learn them from the headers. */
  keypoolLimits: 'configured' | 'learned';
  /** Keypool only: how long a call may wait for a cooling or limited key. */
  maxWaitMs: number;
  gateway?: Gateway;
  /** The fetch under every in-process SDK (scenario 1 gives a canned one to measure CPU cost without a network). */
  fetch?: typeof fetch;
  /** Record each call's upstream answers (default true). Scenario 1 turns it off: it measures the clients alone. */
  trace?: boolean;
}

export interface CallResult {
  ok: boolean;
  /** The call's upstream answers by provider, for in-process contenders. */
  attempts?: UpstreamAttempt[];
  /** Whether the call saw an upstream 429 (undefined when the contender cannot tell). */
  saw429: boolean | undefined;
  error?: string;
}

export interface Runner {
  call(index: number, signal: AbortSignal): Promise<CallResult>;
  /** Extra figures the contender knows about itself (Keypool: when its circuit breaker was open). */
  extra?(): Record<string, unknown>;
  close?(): Promise<void>;
}

export interface Contender {
  id: string;
  label: string;
  /** How it is configured, for the report. */
  settings: string;
  /** Why it cannot run a scenario, by scenario id; absent means it runs. */
  cannot?: Partial<Record<string, string>>;
  create(setup: Setup): Promise<Runner>;
}

const MAX_TOKENS = 8;
const prompt = (index: number): string => `bench call ${index}`;

function describe(error: unknown): string {
  if (error instanceof Error) {
    const status =
      (error as { status?: unknown; statusCode?: unknown }).status ??
      (error as { statusCode?: unknown }).statusCode;
    return `${error.name}${status === undefined ? '' : ` ${String(status)}`}: ${error.message.slice(0, 120)}`;
  }
  return String(error);
}

/** The fetch an in-process SDK gets: the setup's (or the global one), recording into the call's trace if tracing. */
function sdkFetch(setup: Setup): typeof fetch | undefined {
  return setup.trace === false ? setup.fetch : tracingFetch(setup.fetch);
}

/** Runs one call, untraced: for latency, where the instrumentation would be measured too. */
async function plainCall(run: () => Promise<unknown>): Promise<CallResult> {
  try {
    await run();
    return { ok: true, saw429: undefined };
  } catch (error) {
    return { ok: false, saw429: undefined, error: describe(error) };
  }
}

/** Runs one call in a trace context; a call saw a 429 when one of its upstream answers was a 429. */
async function tracedCall(run: () => Promise<unknown>, fromTrace = saw429From): Promise<CallResult> {
  const trace: CallTrace = { statuses: [], attempts: [] };
  try {
    await traced(trace, run);
    return { ok: true, saw429: fromTrace(trace), attempts: trace.attempts };
  } catch (error) {
    return { ok: false, saw429: fromTrace(trace), attempts: trace.attempts, error: describe(error) };
  }
}

/** Traced unless the setup turns tracing off. */
function callWith(setup: Setup, run: () => Promise<unknown>, fromTrace = saw429From): Promise<CallResult> {
  return setup.trace === false ? plainCall(run) : tracedCall(run, fromTrace);
}

function saw429From(trace: CallTrace): boolean {
  return trace.statuses.includes(429);
}

const chatBody = (model: string, index: number) => ({
  model,
  messages: [{ role: 'user' as const, content: prompt(index) }],
  max_tokens: MAX_TOKENS,
});

/** Keypool in process: `createOpenAIPool` (drop-in `pool.client`), and a fallback chain when the scenario has one. */
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
function aiSdkModels(setup: Setup): LanguageModel[] {
  const models: LanguageModel[] = setup.keys.map((key) =>
    createOpenAI({
      apiKey: key.secret,
      baseURL: setup.openaiBaseURL,
      name: key.id,
      fetch: sdkFetch(setup),
    }).chat(setup.model),
  );
  if (setup.fallback !== undefined) {
    const fallbackKey = setup.fallback.keys[0]!;
    models.push(
      createAnthropic({
        apiKey: fallbackKey.secret,
        baseURL: `${setup.anthropicBaseURL}/v1`,
        fetch: sdkFetch(setup),
      })(setup.fallback.model),
    );
  }
  return models;
}

const rotate = <T>(items: readonly T[], first: number): T[] =>
  items.map((_, i) => items[(first + i) % items.length]!);

/** ai-retry: one retryable model per starting key (rotated per call), the other keys as fallbacks, then a retry. */
export const aiRetry: Contender = {
  id: 'ai-retry',
  label: 'ai-retry (AI SDK)',
  settings:
    'ai 7 + @ai-sdk/openai 4 (one createOpenAI per key, distinct name); createRetryableModel per starting key, ' +
    'rotated per call: retries = [other keys (fallbacks, once each), error.isRetryable().retry({ maxAttempts: 3 }) ' +
    '(honours Retry-After)]; scenario 6 adds the anthropic model after the keys; generateText maxRetries 0',
  async create(setup) {
    const models = aiSdkModels(setup);
    const openaiCount = setup.keys.length;
    const retryables = setup.keys.map((_, first) => {
      const order = [...rotate(models.slice(0, openaiCount), first), ...models.slice(openaiCount)];
      return createRetryableModel({
        model: order[0]! as Parameters<typeof createRetryableModel>[0]['model'],
        retries: [
          ...(order.slice(1) as Parameters<typeof createRetryableModel>[0]['retries']),
          onError.isRetryable(true).retry({ maxAttempts: 3 }),
        ],
      });
    });
    let next = 0;
    return {
      call: (index, signal) => {
        const model = retryables[next++ % retryables.length]!;
        return callWith(setup, () =>
          generateText({
            model,
            prompt: prompt(index),
            maxOutputTokens: MAX_TOKENS,
            maxRetries: 0,
            abortSignal: signal,
          }),
        );
      },
    };
  },
};

/** ai-fallback: one fallback model over the keys in order (it stays on the model it switched to, for 3 min). */
export const aiFallback: Contender = {
  id: 'ai-fallback',
  label: 'ai-fallback (AI SDK)',
  settings:
    'ai 7 + @ai-sdk/openai 4; createFallback({ models: one per key in order (+ anthropic in scenario 6) }), its ' +
    'defaults (sticky switch, modelResetInterval 3 min); generateText default maxRetries (2)',
  async create(setup) {
    const model = createFallback({
      models: aiSdkModels(setup) as Parameters<typeof createFallback>[0]['models'],
    });
    return {
      call: (index, signal) =>
        callWith(setup, () =>
          generateText({ model, prompt: prompt(index), maxOutputTokens: MAX_TOKENS, abortSignal: signal }),
        ),
    };
  },
};

/** LangChain: `ChatOpenAI(...).withFallbacks([...])`, one runnable per starting key, rotated per call. */
export const langchain: Contender = {
  id: 'langchain',
  label: 'LangChain withFallbacks',
  settings:
    '@langchain/openai ChatOpenAI per key with maxRetries 0 (fall back at once), key.withFallbacks(other keys), ' +
    'one runnable per starting key rotated per call; scenario 6 adds ChatAnthropic as the last fallback',
  async create(setup) {
    const models = setup.keys.map(
      (key) =>
        new ChatOpenAI({
          model: setup.model,
          apiKey: key.secret,
          maxRetries: 0,
          maxTokens: MAX_TOKENS,
          configuration: { baseURL: setup.openaiBaseURL, fetch: sdkFetch(setup) },
        }),
    );
    const extra =
      setup.fallback === undefined
        ? []
        : [
            new ChatAnthropic({
              model: setup.fallback.model,
              apiKey: setup.fallback.keys[0]!.secret,
              anthropicApiUrl: setup.anthropicBaseURL,
              maxRetries: 0,
              maxTokens: MAX_TOKENS,
            }),
          ];
    const runnables = models.map((_, first) => {
      const [primary, ...rest] = rotate(models, first);
      return primary!.withFallbacks([...rest, ...extra]);
    });
    let next = 0;
    return {
      call: (index, signal) => {
        const runnable = runnables[next++ % runnables.length]!;
        return callWith(setup, () => runnable.invoke(prompt(index), { signal }));
      },
    };
  },
};

export const ALL_CONTENDERS: readonly Contender[] = [
  keypool(),
  bareSdk,
  roundRobin,
  portkey,
  aiRetry,
  aiFallback,
  langchain,
];
