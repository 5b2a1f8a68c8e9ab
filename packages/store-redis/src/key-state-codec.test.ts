import { initialKeyState } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { decodeKeyState, persistedStateOf } from './key-state-codec';

describe('decodeKeyState', () => {
  it('reads an absent state as a fresh, healthy key', () => {
    expect(decodeKeyState('{}')).toEqual(initialKeyState());
  });

  it('reads every field a script writes', () => {
    const view = decodeKeyState({
      status: 'disabled',
      reason: 'auth: invalid key',
      category: 'auth',
      cooldownUntil: '1700000005000',
      consecutiveFailures: '2',
      halfOpen: '1',
      probeInFlight: '0',
      inFlight: '3',
      blockedUntil: '0',
      requests: '12',
      successes: '9',
      'failure:auth': '1',
      'failure:rate_limit': '2',
      'failure:not_a_category': '5',
      latencyEwmaMs: '65.186666666666667',
      usageRequests: '4',
      usageTokens: '120',
      usageDay: '7',
      headroom: '0.20000000000000001',
      learned: '1',
      learnedRequests: '{"limit":10,"remaining":3,"resetAt":1700000001000}',
      budgetRequestsRemaining: '2',
      probeStartedAt: '1700000000000',
    });
    expect(view).toEqual({
      status: 'disabled',
      reason: 'auth: invalid key',
      category: 'auth',
      cooldownUntil: 1_700_000_005_000,
      consecutiveFailures: 2,
      halfOpen: true,
      probeInFlight: false,
      inFlight: 3,
      blockedUntil: 0,
      requests: 12,
      successes: 9,
      failures: { auth: 1, rate_limit: 2 },
      latencyEwmaMs: 65.18666666666667,
      usage: { requests: 4, tokens: 120, day: 7 },
      headroom: 0.2,
      learned: { requests: { limit: 10, remaining: 3, resetAt: 1_700_000_001_000 } },
    });
  });

  it('turns a negative zero from Lua into 0', () => {
    expect(Object.is(decodeKeyState({ inFlight: '-0' }).inFlight, 0)).toBe(true);
  });

  it('keeps what survives a restart', () => {
    const view = decodeKeyState({
      status: 'disabled',
      reason: 'revoked',
      requests: '3',
      'failure:auth': '1',
    });
    expect(persistedStateOf(view)).toEqual({
      status: 'disabled',
      cooldownUntil: 0,
      reason: 'revoked',
      consecutiveFailures: 0,
      requests: 3,
      successes: 0,
      failures: { auth: 1 },
    });
  });
});
