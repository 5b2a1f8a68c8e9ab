import { ConfigError, type HeaderSource, type RateLimitInfo } from '@keypool/core';
import { parseCerebrasRateLimitHeaders } from './cerebras-rate-limit';
import { parseOpenAIRateLimitHeaders } from './openai-rate-limit';
import { parseOpenRouterErrorBody, parseOpenRouterRateLimitHeaders } from './openrouter-rate-limit';
import { parseTogetherRateLimitHeaders } from './together-rate-limit';

/**
 * Reads one answer's rate-limit headers (a `Headers`, or a plain record for `lease.succeed(headers)`: read them with
 * core's `firstHeader`) into the engine's `RateLimitInfo` (`now` is the answer's arrival time, for
 * resets given as durations). Undefined when the answer carries none it can read.
 */
export type RateLimitHeaderParser = (headers: HeaderSource, now: number) => RateLimitInfo | undefined;

/** How one service reports its rate limits. */
export interface RateLimitDialect {
  /** The dialect's name (`openai`, `cerebras`...), or `custom` for a parser given by the application. */
  readonly name: string;
  /** Reads the headers of every answer, success or error. */
  readonly parse: RateLimitHeaderParser;
  /** Reads what an error answer's body says about the limits, for services that put it there (OpenRouter). */
  readonly parseErrorBody?: (body: string, now: number) => RateLimitInfo | undefined;
}

/**
 * The rate-limit header dialects Keypool reads, by name:
 * - `openai`: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, resets as Go durations (`6m0s`); requests and
 *   tokens per minute. Also what DeepSeek (which documents no rate limit and no such headers), Fireworks, xAI and
 *   Perplexity get: they send these names when they send any, and an answer without them teaches nothing.
 * - `groq`: the same names and formats, but Groq's `x-ratelimit-*-requests` count requests **per day** (RPD) while
 *   `x-ratelimit-*-tokens` count tokens per minute (TPM); each budget's reset says when it frees, so the engine holds
 *   a key whose day is spent until then. Groq adds `retry-after` (seconds) on 429s only.
 * - `cerebras`: `x-ratelimit-{limit,remaining,reset}-requests-day` and `-tokens-minute`, resets in seconds.
 * - `openrouter`: `X-RateLimit-{Limit,Remaining,Reset}`, a request budget whose reset is a Unix time in milliseconds,
 *   also read from a 429 body's `error.metadata.headers`.
 * - `together`: `x-ratelimit-{limit,remaining,reset}` (requests, reset in seconds) and `x-tokenlimit-{limit,remaining}`.
 */
export const RATE_LIMIT_DIALECTS = {
  openai: { name: 'openai', parse: parseOpenAIRateLimitHeaders },
  groq: { name: 'groq', parse: parseOpenAIRateLimitHeaders },
  cerebras: { name: 'cerebras', parse: parseCerebrasRateLimitHeaders },
  openrouter: {
    name: 'openrouter',
    parse: parseOpenRouterRateLimitHeaders,
    parseErrorBody: parseOpenRouterErrorBody,
  },
  together: { name: 'together', parse: parseTogetherRateLimitHeaders },
} as const satisfies Record<string, RateLimitDialect>;

/** The name of a rate-limit header dialect Keypool knows. */
export type RateLimitDialectName = keyof typeof RATE_LIMIT_DIALECTS;

/** A dialect by name, or the application's own parser (`(headers, now) => RateLimitInfo | undefined`). */
export type RateLimitHeadersOption = RateLimitDialectName | RateLimitHeaderParser;

/**
 * The dialect an option names (default `openai`). An application's parser is wrapped so that a parser that throws,
 * or returns something that is not an object, reads as "nothing learned": a bad header never fails a call.
 *
 * @throws {ConfigError} for an unknown dialect name (path `rateLimitHeaders`), listing the known ones.
 */
export function resolveRateLimitDialect(option: RateLimitHeadersOption | undefined): RateLimitDialect {
  if (option === undefined) return RATE_LIMIT_DIALECTS.openai;
  if (typeof option === 'function') {
    return {
      name: 'custom',
      parse: (headers, now) => {
        try {
          const info = option(headers, now);
          return typeof info === 'object' && info !== null ? info : undefined;
        } catch {
          return undefined;
        }
      },
    };
  }
  if (typeof option === 'string' && Object.hasOwn(RATE_LIMIT_DIALECTS, option))
    return RATE_LIMIT_DIALECTS[option];
  throw new ConfigError('OpenAI pool options', [
    {
      path: 'rateLimitHeaders',
      message: `unknown rate-limit header dialect "${String(option)}"; known: ${Object.keys(RATE_LIMIT_DIALECTS).join(', ')}, or a function (headers, now) => RateLimitInfo | undefined`,
    },
  ]);
}
