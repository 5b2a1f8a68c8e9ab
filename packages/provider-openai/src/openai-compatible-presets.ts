import {
  apiKeyAsKeys,
  ConfigError,
  headerUnsafe,
  type KeyConfig,
  type ProviderName,
  type WithApiKey,
} from '@keypool/core';
import { createOpenAIPool, type OpenAIPool, type OpenAIPoolOptions } from './openai-pool';
import type { RateLimitHeadersOption } from './rate-limit-dialect';

/** An OpenAI-compatible service: where its API lives and which environment variables hold its keys. */
export interface OpenAICompatiblePreset {
  /** The provider label in events, snapshots and errors. */
  readonly provider: ProviderName;
  /** The base URL the `openai` SDK is pointed at. */
  readonly baseURL: string;
  /** The variables read for its keys when `keys` is not given, in priority order. */
  readonly envVars: readonly string[];
  /**
   * How its answers' rate-limit headers are read, where they differ from OpenAI's: a dialect name (`groq`,
   * `cerebras`, `openrouter`, `together`) or a parser `(headers, now) => RateLimitInfo | undefined`. Default `openai`.
   */
  readonly rateLimitHeaders?: RateLimitHeadersOption;
}

/**
 * The OpenAI-compatible services Keypool knows, by name, with the rate-limit headers each sends (as their documentation
 * and public reports of their answers show them):
 * - `deepseek`: DeepSeek documents no rate limit ("does NOT constrain user's rate limit") and no rate-limit headers;
 *   under load it answers 429/503 or keeps the connection open. Nothing is learned; 429s cool the key as usual.
 * - `groq`: OpenAI's header names, but requests are counted per day (RPD) and tokens per minute (`groq` dialect).
 * - `openrouter`: `X-RateLimit-Limit/Remaining/Reset`, reset a Unix time in ms, copied into 429 bodies (`openrouter`).
 * - `together`: `x-ratelimit-limit/remaining/reset` (requests) and `x-tokenlimit-limit/remaining` (`together`).
 * - `fireworks`: documents `x-ratelimit-limit-requests` and token limits (`-tokens-prompt`, `-tokens-generated`) with
 *   no remaining count, plus `x-ratelimit-over-limit: yes`; its limits are adaptive. OpenAI's names are read when
 *   sent; a limit without a remaining count teaches the engine nothing to hold back on.
 * - `xai`: documents per-model requests and tokens limits and 429s, no header names; OpenAI's names are read if sent.
 * - `cerebras`: `x-ratelimit-*-requests-day` and `x-ratelimit-*-tokens-minute`, resets in seconds (`cerebras`).
 * - `perplexity`: documents a leaky-bucket requests-per-minute limit and 429s, no rate-limit headers.
 */
export const OPENAI_COMPATIBLE_PRESETS = {
  deepseek: { provider: 'deepseek', baseURL: 'https://api.deepseek.com/v1', envVars: ['DEEPSEEK_API_KEY'] },
  groq: {
    provider: 'groq',
    baseURL: 'https://api.groq.com/openai/v1',
    envVars: ['GROQ_API_KEY'],
    rateLimitHeaders: 'groq',
  },
  openrouter: {
    provider: 'openrouter',
    baseURL: 'https://openrouter.ai/api/v1',
    envVars: ['OPENROUTER_API_KEY'],
    rateLimitHeaders: 'openrouter',
  },
  together: {
    provider: 'together',
    baseURL: 'https://api.together.xyz/v1',
    envVars: ['TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY'],
    rateLimitHeaders: 'together',
  },
  fireworks: {
    provider: 'fireworks',
    baseURL: 'https://api.fireworks.ai/inference/v1',
    envVars: ['FIREWORKS_API_KEY'],
  },
  xai: { provider: 'xai', baseURL: 'https://api.x.ai/v1', envVars: ['XAI_API_KEY'] },
  cerebras: {
    provider: 'cerebras',
    baseURL: 'https://api.cerebras.ai/v1',
    envVars: ['CEREBRAS_API_KEY'],
    rateLimitHeaders: 'cerebras',
  },
  perplexity: {
    provider: 'perplexity',
    baseURL: 'https://api.perplexity.ai',
    envVars: ['PERPLEXITY_API_KEY', 'PPLX_API_KEY'],
  },
} as const satisfies Record<string, OpenAICompatiblePreset>;

/** The name of a known OpenAI-compatible service. */
export type OpenAICompatiblePresetName = keyof typeof OPENAI_COMPATIBLE_PRESETS;

/** Options of `createOpenAICompatiblePool`: those of `createOpenAIPool`, with `keys` optional (read from `env`). */
export interface OpenAICompatiblePoolOptions extends Omit<OpenAIPoolOptions, 'keys' | 'provider'> {
  /** The keys; when left out, read from the preset's variables in `env`. */
  keys?: OpenAIPoolOptions['keys'];
  /** One key, as the SDK takes it (its id is `apiKey`); not with `keys`. The environment is not read then. */
  apiKey?: string | undefined;
  /** Where the preset's variables are read when `keys` is left out (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Reads a preset's keys from the environment: for each of its variables (e.g. `GROQ_API_KEY`), the variable itself,
 * numbered ones (`GROQ_API_KEY_2`, `GROQ_API_KEY3`...) by number, then the list `GROQ_API_KEYS=k1,k2`. Values are
 * trimmed; ids name the variable (`env:GROQ_API_KEY`, `env:GROQ_API_KEYS#2`); a repeated secret is kept once.
 *
 * @throws {ConfigError} when a value is blank or cannot travel in an HTTP header (whitespace or control characters
 *   inside), naming the variable and key id, never the value.
 */
export function presetKeysFromEnv(
  preset: OpenAICompatiblePreset,
  env: Record<string, string | undefined> = process.env,
): KeyConfig[] {
  const keys: KeyConfig[] = [];
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  const add = (id: string, variable: string, value: string) => {
    const secret = value.trim();
    const unsafe = secret === '' ? 'is set but empty' : headerUnsafe(secret);
    if (unsafe) {
      problems.push({
        path: variable,
        message: secret === '' ? unsafe : `key "${id}": the secret ${unsafe}`,
      });
    } else if (!seen.has(secret)) {
      seen.add(secret);
      keys.push({ id, secret });
    }
  };
  for (const name of preset.envVars) {
    const numbered = Object.keys(env)
      .map((variable) => ({ variable, match: new RegExp(`^${name}_?(\\d+)$`).exec(variable) }))
      .filter((entry) => entry.match !== null && env[entry.variable] !== undefined)
      .sort((a, b) => Number(a.match![1]) - Number(b.match![1]));
    for (const variable of [name, ...numbered.map((entry) => entry.variable)]) {
      const value = env[variable];
      if (value !== undefined) add(`env:${variable}`, variable, value);
    }
    const list = env[`${name}S`];
    list?.split(/[,\n]/).forEach((item, index) => {
      add(`env:${name}S#${index + 1}`, `${name}S`, item);
    });
  }
  if (problems.length > 0) throw new ConfigError(`${preset.provider} keys from the environment`, problems);
  return keys;
}

/**
 * Creates a key pool for an OpenAI-compatible service through the `openai` SDK: its base URL, its provider label in
 * events, snapshots and errors, its rate-limit header dialect (`rateLimitHeaders` in the options overrides it), and
 * its keys (given, or read from its environment variables):
 * `createOpenAICompatiblePool('groq', { keys })`. `clientOptions.baseURL` overrides the preset's URL (a proxy, a
 * test server).
 *
 * @throws {ConfigError} for an unknown preset name, or when no keys are given and none are in the environment.
 */
export function createOpenAICompatiblePool(
  preset: OpenAICompatiblePresetName | OpenAICompatiblePreset,
  options: OpenAICompatiblePoolOptions = {},
): OpenAIPool {
  const known: OpenAICompatiblePreset | undefined =
    typeof preset !== 'string'
      ? preset
      : Object.hasOwn(OPENAI_COMPATIBLE_PRESETS, preset)
        ? OPENAI_COMPATIBLE_PRESETS[preset]
        : undefined;
  if (known === undefined) {
    throw new ConfigError('OpenAI-compatible preset', [
      {
        path: 'preset',
        message: `unknown preset "${String(preset)}"; known: ${Object.keys(OPENAI_COMPATIBLE_PRESETS).join(', ')}`,
      },
    ]);
  }
  const { keys, apiKey, env, clientOptions, ...rest } = options;
  const poolKeys =
    'apiKey' in options
      ? apiKeyAsKeys({ apiKey, keys } as WithApiKey<{ keys: readonly KeyConfig[] }>).keys
      : (keys ?? presetKeysFromEnv(known, env));
  if (poolKeys.length === 0) {
    throw new ConfigError(`${known.provider} pool options`, [
      {
        path: 'keys',
        message: `no keys given and none in ${known.envVars.join(', ')} (or their _2.._N and S forms)`,
      },
    ]);
  }
  return createOpenAIPool({
    ...rest,
    keys: poolKeys,
    provider: known.provider,
    ...(rest.rateLimitHeaders === undefined && known.rateLimitHeaders !== undefined
      ? { rateLimitHeaders: known.rateLimitHeaders }
      : {}),
    clientOptions: { ...clientOptions, baseURL: clientOptions?.baseURL ?? known.baseURL },
  });
}
