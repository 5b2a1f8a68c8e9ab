import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProviderError } from './errors';
import { createKeyPool } from './key-pool';
import { fingerprintSecret, maskSecret, scrubSecrets, sha256Hex } from './secret';
import { FakeAdapter } from './testing/fake-adapter';

const CANARY = 'sk-canary-7f3a9c2e5b1d4f6a8c0e';

describe('secrets', () => {
  it('masks long, medium and short secrets without revealing most of them', () => {
    expect(maskSecret('sk-proj-1234567890abcdefghijN5g4')).toBe('sk-p...N5g4');
    expect(maskSecret('abcdefghij')).toBe('ab...ij');
    expect(maskSecret('short')).toBe('***');
  });

  it('fingerprints with SHA-256 (known vector) and scrubs every occurrence', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(fingerprintSecret('abc')).toBe('ba7816bf8f01cfea');
    expect(scrubSecrets(`key=${CANARY}&again=${CANARY}`, [CANARY])).toBe('key=sk-c...8c0e&again=sk-c...8c0e');
  });

  it('never shows a secret in inspect, JSON, snapshots, events or errors of a pool', async () => {
    const adapter = new FakeAdapter();
    adapter.script(CANARY, {
      type: 'error',
      category: 'auth',
      message: `Incorrect API key provided: ${CANARY}`,
    });
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'canary', secret: CANARY },
        { id: 'other', secret: 'sk-other-000000000000000000' },
      ],
      strategy: 'round-robin',
    });
    const seen: unknown[] = [];
    pool.onAny((event) => seen.push(event));
    await pool.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await pool.disableKey('other');
    const error = await pool
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    const surfaces = [
      inspect(pool, { depth: 10 }),
      JSON.stringify(pool.snapshot()),
      JSON.stringify(pool.toJSON()),
      JSON.stringify(seen),
      JSON.stringify(error),
      String((error as Error).message),
      inspect(error, { depth: 10 }).replace(/cause: [\s\S]*$/, ''),
    ];
    for (const surface of surfaces) expect(surface).not.toContain(CANARY);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('keeps secrets out of every event and error over random outcome sequences (property)', async () => {
    const categories = [
      'rate_limit',
      'quota_exhausted',
      'auth',
      'overloaded',
      'server',
      'network',
      'invalid_request',
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...categories, 'ok' as const), { minLength: 1, maxLength: 12 }),
        async (outcomes) => {
          const adapter = new FakeAdapter();
          for (const outcome of outcomes) {
            adapter.script(
              CANARY,
              outcome === 'ok'
                ? { type: 'ok' }
                : { type: 'error', category: outcome, message: `bad ${CANARY}` },
            );
          }
          const pool = createKeyPool({
            adapter,
            keys: [{ id: 'c', secret: CANARY }],
            retryBaseMs: 0,
            maxWaitMs: 0,
            random: () => 0,
          });
          const events: unknown[] = [];
          pool.onAny((event) => events.push(event));
          for (let index = 0; index < outcomes.length; index++) {
            const error = await pool
              .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
              .catch((caught: unknown) => caught);
            if (error instanceof Error) {
              expect(error.message).not.toContain(CANARY);
              expect(JSON.stringify(error)).not.toContain(CANARY);
              if (ProviderError.isInstance(error)) expect(error.message).not.toContain(CANARY);
            }
          }
          expect(JSON.stringify(events)).not.toContain(CANARY);
        },
      ),
      { numRuns: 60 },
    );
  });
});
