import { attemptSignal } from './abort';
import type { ClassifiedError } from './classified-error';
import {
  ClassifiedFailure,
  classifyHttpFailure,
  type HttpFailure,
  readCommonRateLimitHeaders,
} from './classify-http-failure';
import { KeypoolError, ProviderError } from './errors';
import { beginCall } from './execute';
import { nextLease } from './lease';
import type { Lease, PoolCore } from './pool-core';
import type { RateLimitInfo } from './rate-limit-info';
import type { HeaderSource } from './retry-hints';
import { settleFailure, settleSuccess } from './settle';

/** Options of `pool.acquire`. */
export interface AcquireOptions {
  /** The model the call uses: its model scope decides which rate-limit state applies. */
  model?: string;
  /** Tokens to reserve against tpm limits. */
  estimatedTokens?: number;
  /** The caller's abort: it aborts the lease's signal too. */
  signal?: AbortSignal;
  /**
   * How long the lease may be held, waits for a key included (default: the pool's `deadlineMs`). At the deadline the
   * lease's signal aborts, and a lease not settled by then is released as a `timeout` failure.
   */
  deadlineMs?: number;
  /** Keys to avoid when another is usable (e.g. the key whose lease just failed). */
  avoidKeyIds?: readonly string[];
  /** Keeps leases with the same value (e.g. a conversation id) on one key while it is usable. */
  affinity?: string;
}

/** Tokens a call used: a total, or the input and output counts. */
export type LeaseUsage = number | { totalTokens?: number; inputTokens?: number; outputTokens?: number };

/** What `lease.fail` decided. */
export interface LeaseFailure {
  /** The classified failure (secrets scrubbed), with the provider's hints (`retryAfterMs`, `status`...). */
  error: ProviderError;
  /** True when the policy says the request may go on: acquire another lease and try again. */
  retry: boolean;
  /** False when the lease was already settled: nothing was applied to the key this time. */
  applied: boolean;
}

/**
 * One key, held for one call an app makes by hand (its own `fetch`, a provider without an SDK). Use `secret()` and
 * `signal` for the request, then settle exactly once: `succeed(usage?, headers?)` or `fail(errorOrStatus, headers?)`.
 * The engine applies all its rules: cooldowns from 429 and retry-after, disable on 401, limits learned from headers,
 * events. A second settle is ignored; a lease never settled is released at its deadline.
 */
export interface KeyLease {
  readonly keyId: string;
  readonly masked: string;
  readonly model: string | undefined;
  /** True when this call is the half-open probe of a key back from a cooldown. */
  readonly probe: boolean;
  /** Aborts on the caller's signal or at the deadline. Pass it to `fetch`. */
  readonly signal: AbortSignal;
  /** When the lease expires (epoch ms). */
  readonly deadline: number;
  /** True once the lease is settled (by `succeed`, `fail`, or its deadline). */
  readonly settled: boolean;
  /** The key's secret, for this call only: it throws once the lease is settled. */
  secret(): string;
  /** The call worked: records usage and latency, learns limits from the response headers, resets failure counts. */
  succeed(usage?: LeaseUsage, headers?: HeaderSource): boolean;
  /**
   * The call failed: an HTTP status (with its headers, and its body as `{ status, headers, body }` for the wording
   * table) or anything thrown (classified by the pool's adapter). Applies the policy table to the key.
   */
  fail(errorOrStatus: unknown, headers?: HeaderSource): LeaseFailure;
}

/** Takes a lease on a usable key (waiting in place for a short known wait), or throws `PoolExhaustedError`. */
export async function acquireLease<T>(core: PoolCore<T>, options: AcquireOptions): Promise<KeyLease> {
  const call = beginCall(core, { ...options, maxAttempts: 1 });
  const next = nextLease(core, call, options, 1);
  const lease = next instanceof Promise ? await next : next;
  return new HeldLease(core, lease, call.deadline, options.signal);
}

class HeldLease<T> implements KeyLease {
  readonly keyId: string;
  readonly masked: string;
  readonly model: string | undefined;
  readonly probe: boolean;
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly #core: PoolCore<T>;
  readonly #lease: Lease;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #guard: ReturnType<typeof attemptSignal>;
  #firstFailure: LeaseFailure | undefined;
  #settled = false;

  constructor(core: PoolCore<T>, lease: Lease, deadline: number, callerSignal: AbortSignal | undefined) {
    this.#core = core;
    this.#lease = lease;
    this.#callerSignal = callerSignal;
    this.keyId = lease.key.id;
    this.masked = lease.key.masked;
    this.model = lease.model;
    this.probe = lease.probe;
    this.deadline = deadline;
    this.#guard = attemptSignal(callerSignal, deadline - core.now());
    this.signal = this.#guard.signal;
    // Never settled by its deadline (or the caller aborted and nobody settled): release the key without blame, so
    // its in-flight count, reserved tokens and half-open probe are not held forever.
    this.signal.addEventListener('abort', () => this.#settleFailure(this.signal.reason), { once: true });
  }

  get settled(): boolean {
    return this.#settled;
  }

  secret(): string {
    if (this.#settled)
      throw new KeypoolError(
        'lease_settled',
        `the lease of key "${this.keyId}" is settled; acquire a new lease for another call`,
      );
    return this.#lease.key.secret();
  }

  succeed(usage?: LeaseUsage, headers?: HeaderSource): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#guard.dispose();
    const total = totalTokens(usage);
    if (total !== undefined) this.#lease.usedTokens = total;
    const learned = this.#learn(headers);
    if (learned) this.#lease.learned = { ...this.#lease.learned, ...learned };
    settleSuccess(this.#core, this.#lease);
    return true;
  }

  fail(errorOrStatus: unknown, headers?: HeaderSource): LeaseFailure {
    const raw = this.#toRaw(errorOrStatus, headers);
    if (this.#settled) {
      // Nothing is applied twice; the caller still gets the error it asked about.
      return this.#firstFailure ?? { ...this.#classifyOnly(raw), applied: false };
    }
    return this.#settleFailure(raw);
  }

  #settleFailure(raw: unknown): LeaseFailure {
    if (this.#settled) return this.#firstFailure ?? { ...this.#classifyOnly(raw), applied: false };
    this.#settled = true;
    const timedOut = this.#guard.timedOut();
    this.#guard.dispose();
    const { error, row } = settleFailure(
      this.#core,
      this.#lease,
      raw,
      timedOut,
      this.#callerSignal,
      (failure) => this.#classify(failure),
    );
    const failure: LeaseFailure = {
      error,
      retry: row.request !== 'fail' && error.category !== 'aborted',
      applied: true,
    };
    this.#firstFailure = failure;
    return failure;
  }

  /** An HTTP status (or `{ status, headers, body }`) becomes a classified failure; anything else goes to the adapter. */
  #toRaw(errorOrStatus: unknown, headers: HeaderSource): unknown {
    const http = httpFailureOf(errorOrStatus, headers);
    if (!http) return errorOrStatus;
    const now = this.#core.now();
    const classified = classifyHttpFailure(http, now);
    const learned = this.#learn(http.headers);
    if (learned) classified.rateLimit = learned;
    return new ClassifiedFailure(classified);
  }

  /** `lease.fail(status)`: classified by status, code and wording already; anything else by the adapter. */
  #classify(raw: unknown): ClassifiedError {
    return raw instanceof ClassifiedFailure ? raw.classified : this.#core.adapter.classifyError(raw);
  }

  #classifyOnly(raw: unknown): Omit<LeaseFailure, 'applied'> {
    const classified = this.#classify(raw);
    const error = new ProviderError({
      ...classified,
      message: this.#core.scrub(classified.message, this.#lease.key),
      provider: this.#core.provider,
      keyId: this.keyId,
    });
    return { error, retry: false };
  }

  #learn(headers: HeaderSource): RateLimitInfo | undefined {
    if (!headers) return undefined;
    const adapter = this.#core.adapter;
    const record = headers as Headers | Record<string, string | string[] | undefined>;
    return adapter.parseRateLimitHeaders
      ? adapter.parseRateLimitHeaders(record)
      : readCommonRateLimitHeaders(headers, this.#core.now());
  }
}

function httpFailureOf(value: unknown, headers: HeaderSource): HttpFailure | undefined {
  if (typeof value === 'number') return { status: value, headers };
  if (value instanceof Error || typeof value !== 'object' || value === null) return undefined;
  const candidate = value as { status?: unknown; headers?: unknown; body?: unknown };
  if (typeof candidate.status !== 'number') return undefined;
  return {
    status: candidate.status,
    headers: (candidate.headers as HeaderSource) ?? headers,
    ...(typeof candidate.body === 'string' ? { body: candidate.body } : {}),
  };
}

function totalTokens(usage: LeaseUsage | undefined): number | undefined {
  if (usage === undefined) return undefined;
  if (typeof usage === 'number') return usage;
  if (usage.totalTokens !== undefined) return usage.totalTokens;
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  return (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}
