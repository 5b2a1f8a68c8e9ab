import { describe, expect, it } from 'vitest';
import { colorsFor } from '../colors';
import { describeEvent, EventThrottle } from './describe-event';

const plain = colorsFor({ isTTY: false }, {});

describe('describeEvent', () => {
  it('names keys by id and masked form', () => {
    expect(
      describeEvent(
        {
          at: 10,
          kind: 'disabled',
          provider: 'openai',
          keyId: 'openai-1',
          masked: 'sk-d...abcd',
          category: 'auth',
          // The engine's reason already names the provider and the category.
          reason: 'openai auth: 401 Incorrect API key provided',
        },
        plain,
      ),
    ).toBe('disabled  openai/openai-1 sk-d...abcd  openai auth: 401 Incorrect API key provided');
  });
});

describe('EventThrottle', () => {
  it('shows one repeated event a second and counts the ones held back', () => {
    const throttle = new EventThrottle(1_000);
    const fallback = (at: number) => ({
      at,
      kind: 'fallback' as const,
      from: 'a',
      to: 'b',
      reason: 'overloaded',
    });
    expect(throttle.admit(fallback(0))).toEqual({ show: true, held: 0 });
    expect(throttle.admit(fallback(100)).show).toBe(false);
    expect(throttle.admit(fallback(200)).show).toBe(false);
    expect(throttle.admit(fallback(1_200))).toEqual({ show: true, held: 2 });
    expect(throttle.admit({ at: 1_300, kind: 'action', label: 'x' }).show).toBe(true);
  });
});
