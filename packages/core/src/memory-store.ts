import type { RateLimitInfo } from './rate-limit-info';
import { SlidingCounter } from './sliding-counter';
import {
  type AttemptRecord,
  FRESH_KEY_STATE,
  initialKeyState,
  type KeyStateView,
  type PersistedKeyState,
  type RecordResult,
  type ReserveCost,
  type ReserveResult,
  type StateStore,
  type StatusChange,
  type StoreKey,
  type WindowLengths,
} from './state-store';

const LATENCY_ALPHA = 0.2;

interface LearnedBudget {
  remaining: number;
  resetAt: number;
}

/** One key's state in a `MemoryStateStore`: its view and the windows its limits need. */
export interface MemoryEntry {
  view: KeyStateView;
  key: StoreKey;
  requestsWindow?: SlidingCounter;
  tokensWindow?: SlidingCounter;
  dayWindow?: SlidingCounter;
  learnedRequests?: LearnedBudget;
  learnedTokens?: LearnedBudget;
}

/**
 * The default state store: every key's state in this process's memory. `reserve` and `record` are synchronous under
 * the hood (a resolved promise), so the hot path costs microseconds. The views it returns are live objects; treat them
 * as read-only.
 */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  /** Each key's state and windows, by fingerprint (read by `HandOverMemoryStore`). */
  protected readonly entries = new Map<string, MemoryEntry>();
  private windows: WindowLengths = { minuteMs: 60_000, dayMs: 86_400_000 };
  private readonly countUntilRecorded: boolean;

  /**
   * @param options.countUntilRecorded A request counts in the rpm and rpd windows until one window after its attempt
   *   is recorded, not only after its reservation: the provider counts it when it arrives, which can be well after
   *   the reservation on a busy machine. Default true (what `@keypool/redis` does too).
   */
  constructor(options: { countUntilRecorded?: boolean } = {}) {
    this.countUntilRecorded = options.countUntilRecorded ?? true;
  }

  /** Takes the window lengths; an entry is made on a key's first use, so an idle key costs the store nothing. */
  async register(_keys: readonly StoreKey[], windows: WindowLengths): Promise<void> {
    this.windows = windows;
  }

  private entry(key: StoreKey): MemoryEntry {
    let entry = this.entries.get(key.fingerprint);
    if (!entry) {
      entry = { view: initialKeyState(), key };
      this.applyLimits(entry, key);
      this.entries.set(key.fingerprint, entry);
    } else if (entry.key.limits !== key.limits) this.applyLimits(entry, key);
    return entry;
  }

  private applyLimits(entry: MemoryEntry, key: StoreKey): void {
    entry.key = key;
    const { rpm, tpm, rpd } = key.limits;
    entry.requestsWindow =
      rpm !== undefined ? (entry.requestsWindow ?? this.counter(this.windows.minuteMs)) : undefined;
    entry.tokensWindow =
      tpm !== undefined ? (entry.tokensWindow ?? this.counter(this.windows.minuteMs)) : undefined;
    entry.dayWindow = rpd !== undefined ? (entry.dayWindow ?? this.counter(this.windows.dayMs)) : undefined;
  }

  /** A new window counter (`HandOverMemoryStore` makes ones whose units it can hand over). */
  protected counter(windowMs: number): SlidingCounter {
    return new SlidingCounter(windowMs);
  }

  /** The live view of a key's state (created fresh for a key it has not seen). */
  viewOf(key: StoreKey): KeyStateView {
    return this.entry(key).view;
  }

  async reserve(key: StoreKey, cost: ReserveCost, now: number): Promise<ReserveResult> {
    return this.reserveNow(key, cost, now);
  }

  /** The synchronous reservation behind `reserve`. */
  reserveNow(key: StoreKey, cost: ReserveCost, now: number): ReserveResult {
    const entry = this.entry(key);
    const view = entry.view;
    if (view.status === 'disabled')
      return { ok: false, view, retryAt: Number.POSITIVE_INFINITY, why: 'disabled' };
    if (view.cooldownUntil > now) return { ok: false, view, retryAt: view.cooldownUntil, why: 'cooling' };
    if (view.cooldownUntil !== 0) {
      // The cooldown is over: the key is half-open until one probe succeeds.
      view.cooldownUntil = 0;
      view.halfOpen = true;
    }
    if (view.halfOpen && view.probeInFlight) return { ok: false, view, retryAt: now, why: 'probing' };

    // A learned budget whose reset has passed starts a new window at its known limit, rather than being forgotten
    // (which would let every waiting call through at once).
    this.rollOver(entry.learnedRequests, view.learned?.requests?.limit, now);
    this.rollOver(entry.learnedTokens, view.learned?.tokens?.limit, now);
    const blockedUntil = this.capacityFreeAt(entry, cost, now);
    view.blockedUntil = blockedUntil > now ? blockedUntil : 0;
    if (blockedUntil > now) return { ok: false, view, retryAt: blockedUntil, why: 'capacity' };

    entry.requestsWindow?.add(cost.requests, now);
    entry.tokensWindow?.add(cost.tokens, now);
    entry.dayWindow?.add(cost.requests, now);
    if (entry.learnedRequests) entry.learnedRequests.remaining -= cost.requests;
    if (entry.learnedTokens) entry.learnedTokens.remaining -= cost.tokens;
    view.inFlight++;
    view.requests++;
    const probe = view.halfOpen;
    if (probe) view.probeInFlight = true;
    this.refreshUsage(entry, now);
    return { ok: true, view, probe };
  }

  private rollOver(budget: LearnedBudget | undefined, limit: number | undefined, now: number): void {
    if (budget && budget.resetAt <= now && limit !== undefined && limit > 0) {
      budget.remaining = limit;
      budget.resetAt = now + this.windows.minuteMs;
    }
  }

  private capacityFreeAt(entry: MemoryEntry, cost: ReserveCost, now: number): number {
    const { rpm, tpm, rpd } = entry.key.limits;
    let freeAt = now;
    if (entry.requestsWindow && rpm !== undefined)
      freeAt = Math.max(freeAt, entry.requestsWindow.freeAt(cost.requests, rpm, now));
    if (entry.tokensWindow && tpm !== undefined)
      freeAt = Math.max(freeAt, entry.tokensWindow.freeAt(cost.tokens, tpm, now));
    if (entry.dayWindow && rpd !== undefined)
      freeAt = Math.max(freeAt, entry.dayWindow.freeAt(cost.requests, rpd, now));
    freeAt = Math.max(freeAt, learnedFreeAt(entry.learnedRequests, cost.requests, now));
    freeAt = Math.max(freeAt, learnedFreeAt(entry.learnedTokens, cost.tokens, now));
    return freeAt;
  }

  private refreshUsage(entry: MemoryEntry, now: number): void {
    const { view } = entry;
    const { rpm, tpm, rpd } = entry.key.limits;
    const requests = entry.requestsWindow?.used(now) ?? 0;
    const tokens = entry.tokensWindow?.used(now) ?? 0;
    const day = entry.dayWindow?.used(now) ?? 0;
    view.usage.requests = requests;
    view.usage.tokens = tokens;
    view.usage.day = day;
    let headroom = 1;
    if (rpm) headroom = Math.min(headroom, 1 - requests / rpm);
    if (tpm) headroom = Math.min(headroom, 1 - tokens / tpm);
    if (rpd) headroom = Math.min(headroom, 1 - day / rpd);
    const learned = view.learned;
    if (learned?.requests?.limit && entry.learnedRequests)
      headroom = Math.min(headroom, entry.learnedRequests.remaining / learned.requests.limit);
    if (learned?.tokens?.limit && entry.learnedTokens)
      headroom = Math.min(headroom, entry.learnedTokens.remaining / learned.tokens.limit);
    view.headroom = Math.max(0, headroom);
  }

  async record(key: StoreKey, attempt: AttemptRecord): Promise<RecordResult> {
    return this.recordNow(key, attempt);
  }

  /** The synchronous recording behind `record`. */
  recordNow(key: StoreKey, attempt: AttemptRecord): RecordResult {
    const entry = this.entry(key);
    const view = entry.view;
    const { now } = attempt;
    view.inFlight = Math.max(0, view.inFlight - 1);
    if (attempt.probe) view.probeInFlight = false;
    if (this.countUntilRecorded) {
      const reservedAt = now - attempt.latencyMs;
      entry.requestsWindow?.move(1, reservedAt, now);
      entry.dayWindow?.move(1, reservedAt, now);
    }

    const tokenCorrection =
      attempt.actualTokens !== undefined
        ? attempt.actualTokens - attempt.reservedTokens
        : attempt.outcome === 'failure'
          ? -attempt.reservedTokens
          : 0;
    if (tokenCorrection !== 0) entry.tokensWindow?.add(tokenCorrection, now);
    if (attempt.learned) this.learn(entry, attempt.learned, now);

    view.lastUsedAt = now;
    if (attempt.outcome === 'success') view.lastSuccessAt = now;
    else view.lastFailureAt = now;
    let recovered = false;
    if (attempt.outcome === 'success') {
      view.successes++;
      view.consecutiveFailures = 0;
      view.latencyEwmaMs =
        view.latencyEwmaMs === undefined
          ? attempt.latencyMs
          : view.latencyEwmaMs + LATENCY_ALPHA * (attempt.latencyMs - view.latencyEwmaMs);
      if (view.halfOpen) {
        recovered = true;
        view.halfOpen = false;
        if (view.status === 'active') {
          view.reason = undefined;
          view.category = undefined;
        }
      }
    } else {
      const category = attempt.category ?? 'server';
      view.failures[category] = (view.failures[category] ?? 0) + 1;
      if (attempt.cooldownUntil !== undefined || attempt.disable || attempt.probe) view.consecutiveFailures++;
      if (attempt.cooldownUntil !== undefined) {
        coolView(view, attempt.cooldownUntil, attempt.reason, category);
        for (const member of attempt.group ?? []) {
          if (member.fingerprint === key.fingerprint) continue;
          coolView(
            this.entry(member).view,
            attempt.cooldownUntil,
            `quota group: ${attempt.reason ?? category}`,
            category,
          );
        }
      }
      if (attempt.disable) {
        view.status = 'disabled';
        view.reason = attempt.reason;
        view.category = category;
        view.halfOpen = false;
      }
    }
    this.refreshUsage(entry, now);
    return { view, recovered };
  }

  private learn(entry: MemoryEntry, info: RateLimitInfo, now: number): void {
    const view = entry.view;
    view.learned = { ...view.learned, ...info };
    // Attempts reserved after the provider counted this one are not in its `remaining` yet.
    const othersInFlight = Math.max(0, view.inFlight);
    if (info.requests?.remaining !== undefined) {
      entry.learnedRequests = {
        remaining: info.requests.remaining - othersInFlight,
        resetAt: info.requests.resetAt ?? now + this.windows.minuteMs,
      };
    }
    if (info.tokens?.remaining !== undefined) {
      entry.learnedTokens = {
        remaining: info.tokens.remaining,
        resetAt: info.tokens.resetAt ?? now + this.windows.minuteMs,
      };
    }
  }

  async setStatus(key: StoreKey, change: StatusChange, now: number): Promise<KeyStateView> {
    const entry = this.entry(key);
    const view = entry.view;
    if (change.enabled) {
      view.status = 'active';
      view.reason = undefined;
      view.category = undefined;
    } else {
      view.status = 'disabled';
      view.reason = change.reason ?? 'disabled by the application';
    }
    if (change.reset) {
      view.cooldownUntil = 0;
      view.consecutiveFailures = 0;
      view.halfOpen = false;
      view.blockedUntil = 0;
    }
    this.refreshUsage(entry, now);
    return view;
  }

  /** The keys' views; a key with no entry yet reads as fresh without getting one (it is created on first use). */
  async read(keys: readonly StoreKey[], now: number): Promise<KeyStateView[]> {
    return keys.map((key) => {
      const entry = this.entries.get(key.fingerprint);
      if (!entry) return FRESH_KEY_STATE;
      if (entry.key.limits !== key.limits) this.applyLimits(entry, key);
      this.refreshUsage(entry, now);
      return entry.view;
    });
  }

  async remove(key: StoreKey): Promise<void> {
    this.entries.delete(key.fingerprint);
  }

  async restore(states: ReadonlyMap<string, PersistedKeyState>, now: number): Promise<void> {
    for (const [fingerprint, state] of states) {
      // The key's limits reach the entry on its first use (`entry` re-applies them when they differ).
      const entry = this.entry({ fingerprint, limits: {} });
      Object.assign(entry.view, {
        status: state.status,
        cooldownUntil: state.cooldownUntil > now ? state.cooldownUntil : 0,
        halfOpen: state.cooldownUntil > 0 && state.cooldownUntil <= now,
        reason: state.reason,
        category: state.category,
        consecutiveFailures: state.consecutiveFailures,
        requests: state.requests,
        successes: state.successes,
        failures: { ...state.failures },
        latencyEwmaMs: state.latencyEwmaMs,
        lastUsedAt: state.lastUsedAt,
        lastSuccessAt: state.lastSuccessAt,
        lastFailureAt: state.lastFailureAt,
      });
    }
  }
}

function coolView(
  view: KeyStateView,
  until: number,
  reason: string | undefined,
  category: KeyStateView['category'],
) {
  if (until > view.cooldownUntil) {
    view.cooldownUntil = until;
    view.reason = reason;
    view.category = category;
  }
  view.halfOpen = false;
}

function learnedFreeAt(budget: LearnedBudget | undefined, cost: number, now: number): number {
  if (!budget) return now;
  if (budget.resetAt <= now) return now;
  return budget.remaining >= cost || cost === 0 ? now : budget.resetAt;
}
