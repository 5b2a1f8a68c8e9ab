import type { KeySnapshot } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { formatFailures, keyStatusAt } from './key-status-line';

const snapshot = (fields: Partial<KeySnapshot>): KeySnapshot => ({
  id: 'k',
  masked: 'sk-a...zzzz',
  fingerprint: '0123456789abcdef',
  status: 'active',
  inFlight: 0,
  weight: 1,
  limits: {},
  tags: [],
  usage: { requests: 0, tokens: 0, day: 0 },
  counts: { requests: 0, successes: 0, failures: {} },
  consecutiveFailures: 0,
  ...fields,
});

describe('keyStatusAt', () => {
  it('counts a cooldown down to now, and a finished one leaves the key half-open', () => {
    const cooling = snapshot({ status: 'cooling', cooldownUntil: 10_000 });
    expect(keyStatusAt(cooling, 4_000)).toEqual({ status: 'cooling', cooldownRemainingMs: 6_000 });
    expect(keyStatusAt(cooling, 12_000)).toEqual({ status: 'half_open', cooldownRemainingMs: undefined });
  });

  it('keeps disabled keys disabled and frees a window that has reset', () => {
    expect(keyStatusAt(snapshot({ status: 'disabled' }), 0).status).toBe('disabled');
    expect(keyStatusAt(snapshot({ status: 'limited', blockedUntil: 5 }), 10).status).toBe('active');
  });
});

describe('formatFailures', () => {
  it('lists non-zero categories', () => {
    expect(formatFailures({ rate_limit: 3, auth: 0, server: 1 })).toBe('rate_limit:3 server:1');
    expect(formatFailures({})).toBe('-');
  });
});
