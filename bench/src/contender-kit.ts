import type { Gateway } from './portkey.ts';
import { type CallTrace, traced, tracingFetch, type UpstreamAttempt } from './tracing.ts';

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

export const MAX_TOKENS = 8;
export const prompt = (index: number): string => `bench call ${index}`;

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const status =
      (error as { status?: unknown; statusCode?: unknown }).status ??
      (error as { statusCode?: unknown }).statusCode;
    return `${error.name}${status === undefined ? '' : ` ${String(status)}`}: ${error.message.slice(0, 120)}`;
  }
  return String(error);
}

/** The fetch an in-process SDK gets: the setup's (or the global one), recording into the call's trace if tracing. */
export function sdkFetch(setup: Setup): typeof fetch | undefined {
  return setup.trace === false ? setup.fetch : tracingFetch(setup.fetch);
}

/** Runs one call, untraced: for latency, where the instrumentation would be measured too. */
export async function plainCall(run: () => Promise<unknown>): Promise<CallResult> {
  try {
    await run();
    return { ok: true, saw429: undefined };
  } catch (error) {
    return { ok: false, saw429: undefined, error: describe(error) };
  }
}

/** Runs one call in a trace context; a call saw a 429 when one of its upstream answers was a 429. */
export async function tracedCall(run: () => Promise<unknown>, fromTrace = saw429From): Promise<CallResult> {
  const trace: CallTrace = { statuses: [], attempts: [] };
  try {
    await traced(trace, run);
    return { ok: true, saw429: fromTrace(trace), attempts: trace.attempts };
  } catch (error) {
    return { ok: false, saw429: fromTrace(trace), attempts: trace.attempts, error: describe(error) };
  }
}

/** Traced unless the setup turns tracing off. */
export function callWith(
  setup: Setup,
  run: () => Promise<unknown>,
  fromTrace = saw429From,
): Promise<CallResult> {
  return setup.trace === false ? plainCall(run) : tracedCall(run, fromTrace);
}

export function saw429From(trace: CallTrace): boolean {
  return trace.statuses.includes(429);
}

export const chatBody = (model: string, index: number) => ({
  model,
  messages: [{ role: 'user' as const, content: prompt(index) }],
  max_tokens: MAX_TOKENS,
});

/** Keypool in process: `createOpenAIPool` (drop-in `pool.client`), and a fallback chain when the scenario has one. */
