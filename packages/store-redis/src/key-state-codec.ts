import {
  type ErrorCategory,
  initialKeyState,
  isErrorCategory,
  type KeyStateView,
  type PersistedKeyState,
  type RateLimitBudget,
  type RateLimitInfo,
} from '@keypool/core';

const FAILURE_PREFIX = 'failure:';

/**
 * Turns a key's state as the scripts return it (the state hash's fields as a JSON object of field -> text, or that
 * object already parsed) into core's `KeyStateView`. Missing fields take a fresh key's values, so an absent hash
 * reads as a healthy, unused key.
 */
export function decodeKeyState(encoded: string | Readonly<Record<string, unknown>>): KeyStateView {
  const fields = typeof encoded === 'string' ? (JSON.parse(encoded) as Record<string, unknown>) : encoded;
  const view: KeyStateView = initialKeyState();
  let learned = false;
  let learnedRequests: RateLimitBudget | undefined;
  let learnedTokens: RateLimitBudget | undefined;
  for (const field in fields) {
    const value = String(fields[field]);
    switch (field) {
      case 'status':
        view.status = value === 'disabled' ? 'disabled' : 'active';
        break;
      case 'cooldownUntil':
      case 'consecutiveFailures':
      case 'inFlight':
      case 'blockedUntil':
      case 'requests':
      case 'successes':
      case 'headroom':
        view[field] = toNumber(value);
        break;
      case 'latencyEwmaMs':
      case 'lastUsedAt':
      case 'lastSuccessAt':
      case 'lastFailureAt':
        view[field] = toNumber(value);
        break;
      case 'halfOpen':
      case 'probeInFlight':
        view[field] = value === '1';
        break;
      case 'reason':
        view.reason = value;
        break;
      case 'category':
        if (isErrorCategory(value)) view.category = value;
        break;
      case 'usageRequests':
        view.usage.requests = toNumber(value);
        break;
      case 'usageTokens':
        view.usage.tokens = toNumber(value);
        break;
      case 'usageDay':
        view.usage.day = toNumber(value);
        break;
      case 'learned':
        learned = true;
        break;
      case 'learnedRequests':
        learnedRequests = parseBudget(value);
        break;
      case 'learnedTokens':
        learnedTokens = parseBudget(value);
        break;
      default:
        if (field.startsWith(FAILURE_PREFIX)) {
          const category = field.slice(FAILURE_PREFIX.length);
          if (isErrorCategory(category)) view.failures[category] = toNumber(value);
        }
    }
  }
  if (learned || learnedRequests || learnedTokens) {
    const info: RateLimitInfo = {};
    if (learnedRequests) info.requests = learnedRequests;
    if (learnedTokens) info.tokens = learnedTokens;
    view.learned = info;
  }
  return view;
}

/** The part of a view that survives a restart (what `restore` writes). */
export function persistedStateOf(view: KeyStateView): PersistedKeyState {
  return {
    status: view.status,
    cooldownUntil: view.cooldownUntil,
    ...(view.reason !== undefined ? { reason: view.reason } : {}),
    ...(view.category !== undefined ? { category: view.category as ErrorCategory } : {}),
    consecutiveFailures: view.consecutiveFailures,
    requests: view.requests,
    successes: view.successes,
    failures: { ...view.failures },
    ...(view.latencyEwmaMs !== undefined ? { latencyEwmaMs: view.latencyEwmaMs } : {}),
    ...(view.lastUsedAt !== undefined ? { lastUsedAt: view.lastUsedAt } : {}),
    ...(view.lastSuccessAt !== undefined ? { lastSuccessAt: view.lastSuccessAt } : {}),
    ...(view.lastFailureAt !== undefined ? { lastFailureAt: view.lastFailureAt } : {}),
  };
}

function toNumber(value: string): number {
  // `+ 0` turns a `-0` from Lua into 0.
  return Number(value) + 0;
}

function parseBudget(value: string): RateLimitBudget | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? (parsed as RateLimitBudget) : undefined;
  } catch {
    return undefined;
  }
}
