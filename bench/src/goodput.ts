/**
 * The goodput benchmark: K keys x R requests per second, 30 calls in flight for a fixed time, against the emulator's
 * fixed one-second windows. Four variants in one run, each on its own fresh emulator: Keypool with the keys' limits
 * configured, Keypool learning them from rate-limit headers, Keypool learning from 429s alone (the emulator sends no
 * headers), and a naive round-robin over the same keys with the raw SDK (a 429 moves the call to the next key).
 */

import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import OpenAI from 'openai';
import { quantile, ratio, round } from './stats.ts';
import { type CallTrace, traced, tracingFetch } from './tracing.ts';

export type GoodputVariantId = 'keypool-configured' | 'keypool-headers' | 'keypool-429s' | 'round-robin';

/** One variant: how its keys are set up on the emulator and how its client is built. */
export interface GoodputVariant {
  id: GoodputVariantId;
  label: string;
  /** Whether the emulator sends rate-limit headers and retry hints to this variant. */
  rateLimitHeaders: boolean;
  /** How the client is configured, for the report. */
  settings: string;
}

export const GOODPUT_VARIANTS: readonly GoodputVariant[] = [
  {
    id: 'keypool-configured',
    label: 'Keypool, limits configured',
    rateLimitHeaders: true,
    settings:
      'createOpenAIPool, keys limits.rpm = R, windowMs 1000, default maxWaitMs; emulator sends headers',
  },
  {
    id: 'keypool-headers',
    label: 'Keypool, learned from headers',
    rateLimitHeaders: true,
    settings:
      'createOpenAIPool, no limits, windowMs 1000, default maxWaitMs; emulator sends x-ratelimit-* and retry-after',
  },
  {
    id: 'keypool-429s',
    label: 'Keypool, learned from 429s alone',
    rateLimitHeaders: false,
    settings:
      'createOpenAIPool, no limits, windowMs 1000, default maxWaitMs; emulator sends no rate-limit headers',
  },
  {
    id: 'round-robin',
    label: 'naive round-robin, raw SDK',
    rateLimitHeaders: false,
    settings:
      'one new OpenAI({ apiKey, maxRetries: 0 }) per key, next key per call; a 429 moves the call to the next key at once, every key at most once; emulator sends no rate-limit headers',
  },
];

export interface GoodputOptions {
  /** K: number of keys. */
  keys: number;
  /** R: requests each key may make per one-second window. */
  rps: number;
  /** Calls in flight (default 30). */
  concurrency?: number;
  /** How long each variant is driven, in ms. */
  durationMs: number;
  /** How long calls still running at the end may take to settle before they are aborted (default 5000). */
  graceMs?: number;
  /** The variants to run (default all four, in order). */
  variants?: readonly GoodputVariantId[];
  log?: (message: string) => void;
}

export interface GoodputResult {
  variant: GoodputVariantId;
  label: string;
  settings: string;
  /** Successful calls per second during the run, divided by K x R (1 = the keys' whole capacity). */
  goodput: number;
  /** The same over the second half of the run only (after any learning). */
  goodputSecondHalf: number;
  /** Calls that succeeded within the run's duration. */
  succeeded: number;
  /** Successful calls in each second of the run (shows how fast a learning variant converges). */
  perSecond: number[];
  /** Calls that ended in an error (at any time, including the grace period). */
  failed: number;
  /** Calls still running when the grace period ended (aborted, not counted as failed). */
  unfinished: number;
  /** Requests that reached the emulator, and how many of them were answered 429. */
  upstreamRequests: number;
  upstream429: number;
  /** upstream429 / upstreamRequests. */
  share429: number;
  /** Share of finished calls that saw at least one upstream 429. */
  callsSaw429: number;
  /** Latency of successful calls, ms. */
  p50Ms: number;
  p99Ms: number;
  /** The distinct errors of failed calls (at most 5). */
  errors: string[];
}

interface CallOutcome {
  ok: boolean;
  saw429: boolean;
  endedAt: number;
  ms: number;
  error?: string;
}

type CallFn = (index: number, signal: AbortSignal) => Promise<unknown>;

const MODEL = 'gpt-4o-mini';
/** Fake secrets, one per key; the emulator knows them, nothing else does. */
const secretOf = (index: number): string => `sk-goodput-${index + 1}-0000000000000000`;
const body = (index: number) => ({
  model: MODEL,
  messages: [{ role: 'user' as const, content: `goodput call ${index}` }],
  max_tokens: 8,
});

function describe(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return `${error.name}${status === undefined ? '' : ` ${String(status)}`}`;
  }
  return String(error);
}

/** Builds the client of one variant over `secrets`; every upstream answer goes through the tracing fetch. */
function clientFor(
  variant: GoodputVariant,
  secrets: readonly string[],
  baseURL: string,
  rps: number,
): CallFn {
  const fetch = tracingFetch();
  if (variant.id === 'round-robin') {
    const clients = secrets.map((apiKey) => new OpenAI({ apiKey, baseURL, maxRetries: 0, fetch }));
    let next = 0;
    return async (index, signal) => {
      const first = next++;
      for (let attempt = 0; ; attempt++) {
        const client = clients[(first + attempt) % clients.length]!;
        try {
          return await client.chat.completions.create(body(index), { signal });
        } catch (error) {
          const is429 = error instanceof OpenAI.APIError && error.status === 429;
          if (!is429 || attempt + 1 >= clients.length) throw error;
        }
      }
    };
  }
  const pool = createOpenAIPool({
    keys: secrets.map((secret, index) => ({
      id: `key-${index + 1}`,
      secret,
      ...(variant.id === 'keypool-configured' ? { limits: { rpm: rps } } : {}),
    })),
    windowMs: 1000,
    clientOptions: { baseURL, fetch },
  });
  return (index, signal) => pool.client.chat.completions.create(body(index), { signal });
}

/** Keeps `concurrency` calls in flight for `durationMs`, then lets running calls settle for up to `graceMs`. */
async function driveFor(
  call: CallFn,
  concurrency: number,
  durationMs: number,
  graceMs: number,
): Promise<{ outcomes: CallOutcome[]; startedAt: number; unfinished: number }> {
  const startedAt = Date.now();
  const controller = new AbortController();
  const outcomes: CallOutcome[] = [];
  let next = 0;
  let running = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() - startedAt < durationMs && !controller.signal.aborted) {
      const index = next++;
      const began = performance.now();
      const trace: CallTrace = { statuses: [], attempts: [] };
      running++;
      let outcome: Omit<CallOutcome, 'endedAt' | 'ms'>;
      try {
        await traced(trace, () => call(index, controller.signal));
        outcome = { ok: true, saw429: trace.statuses.includes(429) };
      } catch (error) {
        outcome = { ok: false, saw429: trace.statuses.includes(429), error: describe(error) };
      }
      running--;
      if (controller.signal.aborted) return;
      outcomes.push({ ...outcome, endedAt: Date.now(), ms: performance.now() - began });
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const hardStop = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('goodput bench: grace period over'));
      resolve();
    }, durationMs + graceMs);
  });
  await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), hardStop]);
  clearTimeout(timer);
  const unfinished = controller.signal.aborted ? running : 0;
  controller.abort(new Error('goodput bench: done'));
  return { outcomes, startedAt, unfinished };
}

/** Runs one variant on its own fresh emulator and measures it. */
async function runVariant(
  variant: GoodputVariant,
  options: Required<Omit<GoodputOptions, 'variants' | 'log'>>,
) {
  const secrets = Array.from({ length: options.keys }, (_, index) => secretOf(index));
  const emulator = await startEmulator({
    windowMs: 1000,
    keys: Object.fromEntries(
      secrets.map((secret) => [
        secret,
        { rpm: options.rps, window: 'fixed' as const, rateLimitHeaders: variant.rateLimitHeaders },
      ]),
    ),
  });
  try {
    const call = clientFor(variant, secrets, emulator.baseURLs.openai, options.rps);
    const { outcomes, startedAt, unfinished } = await driveFor(
      call,
      options.concurrency,
      options.durationMs,
      options.graceMs,
    );
    return summarize(variant, options, outcomes, startedAt, unfinished, emulator.requests);
  } finally {
    await emulator.close();
  }
}

/** The figures of one variant from its calls' outcomes and the emulator's request log. */
export function summarize(
  variant: GoodputVariant,
  options: { keys: number; rps: number; durationMs: number },
  outcomes: readonly CallOutcome[],
  startedAt: number,
  unfinished: number,
  log: readonly { status: number }[],
): GoodputResult {
  const capacityPerSecond = options.keys * options.rps;
  const end = startedAt + options.durationMs;
  const half = startedAt + options.durationMs / 2;
  const inRun = outcomes.filter((outcome) => outcome.ok && outcome.endedAt <= end);
  const secondHalf = inRun.filter((outcome) => outcome.endedAt > half);
  const upstream429 = log.filter((entry) => entry.status === 429).length;
  const okTimes = outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.ms);
  const failed = outcomes.filter((outcome) => !outcome.ok);
  return {
    variant: variant.id,
    label: variant.label,
    settings: variant.settings,
    goodput: round(inRun.length / (options.durationMs / 1000) / capacityPerSecond),
    goodputSecondHalf: round(secondHalf.length / (options.durationMs / 2000) / capacityPerSecond),
    succeeded: inRun.length,
    perSecond: Array.from(
      { length: Math.ceil(options.durationMs / 1000) },
      (_, second) =>
        inRun.filter((outcome) => Math.floor((outcome.endedAt - startedAt - 1) / 1000) === second).length,
    ),
    failed: failed.length,
    unfinished,
    upstreamRequests: log.length,
    upstream429,
    share429: round(ratio(upstream429, log.length), 4),
    callsSaw429: round(ratio(outcomes.filter((outcome) => outcome.saw429).length, outcomes.length), 4),
    p50Ms: round(quantile(okTimes, 0.5), 1),
    p99Ms: round(quantile(okTimes, 0.99), 1),
    errors: [...new Set(failed.map((outcome) => outcome.error ?? 'unknown'))].slice(0, 5),
  };
}

/** Runs the chosen variants one after another, each against its own fresh emulator. */
export async function runGoodput(options: GoodputOptions): Promise<GoodputResult[]> {
  const settings = {
    keys: options.keys,
    rps: options.rps,
    concurrency: options.concurrency ?? 30,
    durationMs: options.durationMs,
    graceMs: options.graceMs ?? 5000,
  };
  const wanted = options.variants ?? GOODPUT_VARIANTS.map((variant) => variant.id);
  const results: GoodputResult[] = [];
  for (const variant of GOODPUT_VARIANTS.filter((candidate) => wanted.includes(candidate.id))) {
    options.log?.(`${variant.label}: ${settings.durationMs} ms, ${settings.concurrency} in flight`);
    results.push(await runVariant(variant, settings));
  }
  return results;
}
