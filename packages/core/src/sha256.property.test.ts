import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintSecret, sha256Hex } from './secret';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex (pure JavaScript, reusing its buffers)', () => {
  it("agrees with node:crypto on any string: ASCII, any Unicode, empty, and lengths around the block's padding", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })),
        (text) => {
          expect(sha256Hex(text)).toBe(reference(text));
        },
      ),
      { numRuns: 200 },
    );
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1_000, 100_000])
      expect(sha256Hex('k'.repeat(length))).toBe(reference('k'.repeat(length)));
  }, 30_000);

  it('gives the same answer after a long input grew its scratch buffer, and after a non-ASCII input', () => {
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    const before = fingerprintSecret(secret);
    sha256Hex('€'.repeat(5_000));
    sha256Hex('x'.repeat(70_000));
    expect(fingerprintSecret(secret)).toBe(before);
    expect(before).toBe(reference(secret).slice(0, 16));
  });
});
