import { z } from 'zod';

/** How one API key behaves. Keyed in the config by the raw secret string. All fields are optional: `{}` is healthy. */
export interface KeyBehaviour {
  /** Requests allowed per window (`windowMs`); the next one gets the provider's 429. */
  rpm?: number;
  /** Tokens (prompt + completion) allowed per window; a request that would exceed it gets the provider's 429. */
  tpm?: number;
  /** Requests allowed per day (`dayMs`); Gemini reports it with a `...PerDay...` quotaId. */
  rpd?: number;
  /** The key is rejected as invalid (OpenAI/Anthropic/Mistral 401, Gemini 400 API_KEY_INVALID). */
  invalid?: boolean;
  /** The key was reported as leaked: Gemini 403 PERMISSION_DENIED; the other providers reject it as invalid. */
  leaked?: boolean;
  /** Billing quota used up: OpenAI 429 insufficient_quota, Anthropic 429 spend limit, Gemini 429 PerDay, Mistral 429. */
  quotaExhausted?: boolean;
  /** How Anthropic reports `quotaExhausted`: 429 `enforced_spend_limit_reached` (default) or 402 `billing_error`. */
  quotaStyle?: 'spend_limit' | 'billing';
  /** The first N requests with this key succeed, then the key is invalid. */
  revokeAfter?: number;
  /** Extra delay before every response for this key, in milliseconds. */
  latencyMs?: number;
  /** Probability (0..1) that a request fails with a 500, drawn from the seeded PRNG. */
  faultRate?: number;
  /**
   * What one rate window counts: the whole key (`'key'`, default) or each (key, model) pair (`'model'`), as OpenAI,
   * Anthropic, Gemini and Mistral scope their limits, so a spent window for one model leaves the others served.
   */
  windowScope?: 'key' | 'model';
  /**
   * When a window opens: at the first request after the previous one ran out (`'first_request'`, default) or on
   * fixed boundaries every `windowMs` since the emulator started or was reset (`'fixed'`): once a fixed window is
   * spent, every request that arrives before the boundary, however many are in flight, gets a 429 that names the
   * same boundary.
   */
  window?: 'first_request' | 'fixed';
  /**
   * Send rate-limit headers and retry hints (default true). `false` plays the many OpenAI-compatible servers and
   * proxies that send none: no `x-ratelimit-*`/`anthropic-ratelimit-*` headers, and 429s carry no `retry-after`,
   * `retry-after-ms` or Gemini RetryInfo (unless `retryAfterMs` is set).
   */
  rateLimitHeaders?: boolean;
  /**
   * A fixed retry-after for the per-minute 429s (rpm, tpm), in ms, sent even with `rateLimitHeaders: false`. The
   * limit does lift after it: the spent window restarts `retryAfterMs` after the refusal (e.g. Mistral's
   * `retry-after: 1` while `x-ratelimit-remaining-req-minute` still says 0).
   */
  retryAfterMs?: number;
  /**
   * Whose rate-limit headers the OpenAI route sends for this key (default `'openai'`), as the OpenAI-compatible
   * services write them: `'groq'` (OpenAI's names, requests per day from `rpd`, tokens per minute; 429s carry
   * `retry-after` only), `'cerebras'` (`x-ratelimit-*-requests-day` from `rpd`, `x-ratelimit-*-tokens-minute` from
   * `tpm`, resets in seconds), `'openrouter'` (`X-RateLimit-Limit/Remaining/Reset` for `rpd`, else `rpm`, reset a Unix
   * time in ms, copied into 429 bodies under `error.metadata.headers`), `'together'` (`x-ratelimit-limit/remaining/
   * reset` for `rpm`, reset in seconds, and `x-tokenlimit-limit/remaining` for `tpm`).
   */
  rateLimitDialect?: RateLimitDialectName;
  /**
   * The dialect's rate-limit header names with values nobody can use (`unlimited`, `-1`, `tomorrow`), on every
   * answer: a client must ignore them, not learn a budget from them.
   */
  garbledRateLimitHeaders?: boolean;
}

/** The rate-limit header dialects the OpenAI route can send (see `KeyBehaviour.rateLimitDialect`). */
export const RATE_LIMIT_DIALECT_NAMES = ['openai', 'groq', 'cerebras', 'openrouter', 'together'] as const;
/** One of {@link RATE_LIMIT_DIALECT_NAMES}. */
export type RateLimitDialectName = (typeof RATE_LIMIT_DIALECT_NAMES)[number];

/**
 * A flapping outage: the model fails for `downMs`, then is healthy again (for good, or for `upMs` before the next
 * outage). `setModelBehaviour` and `reset()` re-arm it.
 */
export interface OutageBehaviour {
  /** How long the outage lasts, in milliseconds. */
  downMs: number;
  /** When the outage clock starts: at the first request after it is armed (default) or when it is set. */
  from?: 'first_request' | 'set';
  /**
   * How the model fails meanwhile: `'overloaded'` (default; Anthropic 529 overloaded_error, the others 503) or
   * `'server_error'` (500).
   */
  kind?: 'overloaded' | 'server_error';
  /** Repeats the outage: after `downMs` down the model is up for `upMs`, then down again, and so on. */
  upMs?: number;
}

/** How one model behaves, whichever provider receives it. Keyed in the config by model name. */
export interface ModelBehaviour {
  /** Always overloaded: Anthropic 529 overloaded_error, the others 503. */
  overloaded?: boolean;
  /** Answers 500 once, then is healthy (re-armed by `setModelBehaviour` and `reset`). */
  serverErrorOnce?: boolean;
  /** Always answers 500. */
  serverError?: boolean;
  /** Destroys the socket before any header is written. */
  resetBeforeHeaders?: boolean;
  /** Accepts the request and never answers (until the client gives up or the emulator closes). */
  noResponse?: boolean;
  /** Accepts the request, sends nothing for this many ms, then closes the socket without an answer. */
  hangUpAfterMs?: number;
  /** Delay before the first byte of the answer (plain) or before the first content chunk (stream), in ms. */
  firstTokenDelayMs?: number;
  /** Streams only: the socket is destroyed after N content chunks. */
  streamCutAfterChunks?: number;
  /** Streams only: the stream stops sending after N content chunks, for `stallMs` (default: until close). */
  streamStallAfterChunks?: number;
  /** How long a stall lasts, in ms; after it the stream resumes and completes. */
  stallMs?: number;
  /** Streams only: a non-JSON data line is sent after the first content chunk. */
  malformedChunk?: boolean;
  /** Streams only: the stream ends without its terminator ([DONE], message_stop, finishReason). */
  noTerminator?: boolean;
  /** Streams only: an error event (Anthropic `event: error` overloaded_error; `data: {"error":...}` elsewhere). */
  midStreamError?: boolean;
  /**
   * Streams only: the stream faults above (cut, stall, malformed chunk, no terminator, error event) hit only the first
   * N streamed answers of this model, then it streams cleanly (re-armed by `setModelBehaviour` and `reset`). Default:
   * every streamed answer.
   */
  streamFaultTimes?: number;
  /**
   * Streams only: one non-JSON data event that carries no answer text (an HTML fragment, as a proxy might inject) is
   * sent after `faultAfterChunks` content chunks; the stream then goes on and completes.
   */
  malformedNoise?: boolean;
  /** Streams only: after how many content chunks `malformedChunk` and `midStreamError` strike. Default 1. */
  faultAfterChunks?: number;
  /**
   * Refuses a request that ends with an assistant message (a prefill) with a 400 "This model does not support
   * assistant message prefill", as Claude Opus/Sonnet 4.6 and later do.
   */
  rejectPrefill?: boolean;
  /**
   * When continuing a prefill: the continuation first repeats this many of the prefill's last words (default 0: it
   * goes on exactly where the prefill ends).
   */
  prefillRepeatWords?: number;
  /** Context window in tokens: a longer prompt gets the provider's context-length error. */
  contextWindow?: number;
  /** The provider's content-policy answer (OpenAI/Anthropic/Mistral 400; Gemini promptFeedback SAFETY). */
  contentFilter?: boolean;
  /** The provider's model-not-found error. */
  notFound?: boolean;
  /** A flapping outage (see {@link OutageBehaviour}). */
  outage?: OutageBehaviour;
  /**
   * Structured output that the SDK cannot use. When a request asks for JSON (OpenAI/Mistral `response_format`
   * json_schema or json_object) the emulator normally answers a JSON value that fits the schema; with this set it
   * answers JSON cut short (`'malformed_json'`) or a valid JSON object missing every required field
   * (`'schema_mismatch'`), whether or not JSON was asked for.
   */
  invalidStructuredOutput?: 'malformed_json' | 'schema_mismatch';
  /**
   * Plain answers break the provider's response schema (a required field of the wrong type), so SDKs that validate
   * responses (Mistral's `ResponseValidationError`) throw on a 200.
   */
  invalidResponseBody?: boolean;
}

/** The emulator's configuration as given to `startEmulator` or the CLI's `--config` file. */
export interface EmulatorConfig {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1` (loopback only). */
  host?: string;
  /** Length of a rate-limit "minute" in ms; default 60000. Tests use e.g. 1000. */
  windowMs?: number;
  /** Length of a rate-limit "day" in ms; default `windowMs * 1440` (a day of emulated minutes). */
  dayMs?: number;
  /** Seed of the PRNG behind `faultRate`; default 1. */
  seed?: number;
  /** Keep the raw key in the request log (`key`); default false (only masked form and fingerprint). */
  logRawKeys?: boolean;
  /** Accept keys not listed in `keys` as healthy; default false (they are rejected like a real provider would). */
  acceptAnyKey?: boolean;
  /** Key behaviours, by raw secret. */
  keys?: Record<string, KeyBehaviour>;
  /** Model behaviours, by model name. */
  models?: Record<string, ModelBehaviour>;
  /** How many request-log entries to keep (oldest dropped first); default 100000. */
  maxLogEntries?: number;
  /** Completion budget when a request sets no max tokens; default 1024. */
  defaultMaxTokens?: number;
}

/** The configuration after validation, with every default filled in. */
export interface ResolvedEmulatorConfig {
  port: number;
  host: string;
  windowMs: number;
  dayMs: number;
  seed: number;
  logRawKeys: boolean;
  acceptAnyKey: boolean;
  keys: Record<string, KeyBehaviour>;
  models: Record<string, ModelBehaviour>;
  maxLogEntries: number;
  defaultMaxTokens: number;
}

const nonNegativeInt = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be an integer' })
  .min(0, { error: 'must be >= 0' });
const nonNegativeNumber = z.number({ error: 'must be a number' }).min(0, { error: 'must be >= 0' });
const positiveNumber = z.number({ error: 'must be a number' }).gt(0, { error: 'must be > 0' });
const flag = z.boolean({ error: 'must be a boolean' });

/** Zod schema of {@link KeyBehaviour}. */
export const keyBehaviourSchema = z.strictObject({
  rpm: nonNegativeInt.optional(),
  tpm: nonNegativeInt.optional(),
  rpd: nonNegativeInt.optional(),
  invalid: flag.optional(),
  leaked: flag.optional(),
  quotaExhausted: flag.optional(),
  quotaStyle: z.enum(['spend_limit', 'billing'], { error: 'must be "spend_limit" or "billing"' }).optional(),
  revokeAfter: nonNegativeInt.optional(),
  latencyMs: nonNegativeNumber.optional(),
  faultRate: nonNegativeNumber.max(1, { error: 'must be <= 1' }).optional(),
  windowScope: z.enum(['key', 'model'], { error: 'must be "key" or "model"' }).optional(),
  window: z.enum(['first_request', 'fixed'], { error: 'must be "first_request" or "fixed"' }).optional(),
  rateLimitHeaders: flag.optional(),
  retryAfterMs: nonNegativeNumber.optional(),
  rateLimitDialect: z
    .enum(RATE_LIMIT_DIALECT_NAMES, { error: `must be one of ${RATE_LIMIT_DIALECT_NAMES.join(', ')}` })
    .optional(),
  garbledRateLimitHeaders: flag.optional(),
}) satisfies z.ZodType<KeyBehaviour>;

/** Zod schema of {@link ModelBehaviour}. */
export const modelBehaviourSchema = z.strictObject({
  overloaded: flag.optional(),
  serverErrorOnce: flag.optional(),
  serverError: flag.optional(),
  resetBeforeHeaders: flag.optional(),
  noResponse: flag.optional(),
  hangUpAfterMs: nonNegativeNumber.optional(),
  firstTokenDelayMs: nonNegativeNumber.optional(),
  streamCutAfterChunks: nonNegativeInt.optional(),
  streamStallAfterChunks: nonNegativeInt.optional(),
  stallMs: nonNegativeNumber.optional(),
  malformedChunk: flag.optional(),
  noTerminator: flag.optional(),
  midStreamError: flag.optional(),
  streamFaultTimes: nonNegativeInt.optional(),
  malformedNoise: flag.optional(),
  faultAfterChunks: nonNegativeInt.min(1, { error: 'must be >= 1' }).optional(),
  rejectPrefill: flag.optional(),
  prefillRepeatWords: nonNegativeInt.optional(),
  contextWindow: nonNegativeInt.optional(),
  contentFilter: flag.optional(),
  notFound: flag.optional(),
  outage: z
    .strictObject({
      downMs: nonNegativeNumber,
      from: z.enum(['first_request', 'set'], { error: 'must be "first_request" or "set"' }).optional(),
      kind: z
        .enum(['overloaded', 'server_error'], { error: 'must be "overloaded" or "server_error"' })
        .optional(),
      upMs: positiveNumber.optional(),
    })
    .optional(),
  invalidStructuredOutput: z
    .enum(['malformed_json', 'schema_mismatch'], { error: 'must be "malformed_json" or "schema_mismatch"' })
    .optional(),
  invalidResponseBody: flag.optional(),
}) satisfies z.ZodType<ModelBehaviour>;

/** Zod schema of {@link EmulatorConfig}. */
export const emulatorConfigSchema = z.strictObject({
  port: nonNegativeInt.max(65535, { error: 'must be <= 65535' }).optional(),
  host: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  windowMs: positiveNumber.optional(),
  dayMs: positiveNumber.optional(),
  seed: z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).optional(),
  logRawKeys: flag.optional(),
  acceptAnyKey: flag.optional(),
  keys: z.record(z.string(), keyBehaviourSchema, { error: 'must be an object' }).optional(),
  models: z.record(z.string(), modelBehaviourSchema, { error: 'must be an object' }).optional(),
  maxLogEntries: nonNegativeInt.optional(),
  defaultMaxTokens: nonNegativeInt.min(1, { error: 'must be >= 1' }).optional(),
}) satisfies z.ZodType<EmulatorConfig>;

/** One problem found in a configuration: the field (`keys["sk-x"].rpm`) and what is wrong with it. */
export interface ConfigProblem {
  path: string;
  message: string;
}

const CONFIG_ERROR_BRAND = Symbol.for('@keypool/emulator/EmulatorConfigError');

/** Thrown for an invalid configuration. `message` lists every problem as `field: problem`, one per line. */
export class EmulatorConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly [CONFIG_ERROR_BRAND] = true;

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n'));
    this.name = 'EmulatorConfigError';
    this.problems = problems;
  }

  /** True for an EmulatorConfigError from any copy of this package (where `instanceof` may fail). */
  static isInstance(value: unknown): value is EmulatorConfigError {
    return typeof value === 'object' && value !== null && CONFIG_ERROR_BRAND in value;
  }
}

/** Formats a zod issue path the way a reader writes it: `keys["sk-x"].rpm`, `models["gpt"].outage.downMs`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    const parent = path[index - 1];
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (index > 0 && (parent === 'keys' || parent === 'models'))
      out += `[${JSON.stringify(String(segment))}]`;
    else out += index === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(config)' : out;
}

function toProblems(error: z.ZodError): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: formatConfigPath([...issue.path, key]), message: 'unknown field' });
      }
    } else {
      problems.push({ path: formatConfigPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

/**
 * Validates a configuration and fills in the defaults. Throws {@link EmulatorConfigError} naming each bad field,
 * e.g. `keys["sk-x"].rpm: must be >= 0`.
 */
export function parseEmulatorConfig(input: unknown): ResolvedEmulatorConfig {
  const result = emulatorConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new EmulatorConfigError(toProblems(result.error));
  const config = result.data;
  const windowMs = config.windowMs ?? 60_000;
  return {
    port: config.port ?? 0,
    host: config.host ?? '127.0.0.1',
    windowMs,
    dayMs: config.dayMs ?? windowMs * 1440,
    seed: config.seed ?? 1,
    logRawKeys: config.logRawKeys ?? false,
    acceptAnyKey: config.acceptAnyKey ?? false,
    keys: { ...config.keys },
    models: { ...config.models },
    maxLogEntries: config.maxLogEntries ?? 100_000,
    defaultMaxTokens: config.defaultMaxTokens ?? 1024,
  };
}

/** Validates one key behaviour (for `setKeyBehaviour`/`addKey`); problems are reported under `keys["<masked>"]`. */
export function parseKeyBehaviour(label: string, input: unknown): KeyBehaviour {
  const result = keyBehaviourSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new EmulatorConfigError(
      toProblems(result.error).map((problem) => ({
        path: `keys[${JSON.stringify(label)}]${problem.path === '(config)' ? '' : `.${problem.path}`}`,
        message: problem.message,
      })),
    );
  }
  return result.data;
}

/** Validates one model behaviour (for `setModelBehaviour`); problems are reported under `models["<model>"]`. */
export function parseModelBehaviour(model: string, input: unknown): ModelBehaviour {
  const result = modelBehaviourSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new EmulatorConfigError(
      toProblems(result.error).map((problem) => ({
        path: `models[${JSON.stringify(model)}]${problem.path === '(config)' ? '' : `.${problem.path}`}`,
        message: problem.message,
      })),
    );
  }
  return result.data;
}
