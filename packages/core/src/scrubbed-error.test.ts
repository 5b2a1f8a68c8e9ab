import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createKeyPool } from './key-pool';
import { maskKeyLike } from './mask-key-like';
import { scrubbedError } from './scrubbed-error';
import { sha256Hex } from './secret';
import { createSecretScrubber } from './secret-scrubber';
import { FakeAdapter } from './testing/fake-adapter';

const CANARY = 'canary-7f3a9c2e5b1d4f6a8c0e';
const OTHER = 'canary-other-0d1e2f3a4b5c6d7e';

/** Every 8-character piece of a secret, the unit the leak tests search for. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 7 }, (_, index) => secret.slice(index, index + 8));
}

function expectNoPiece(text: string, ...secrets: string[]): void {
  for (const secret of secrets) for (const piece of pieces(secret)) expect(text).not.toContain(piece);
}

describe('scrubbedError', () => {
  it("scrubs undici's own header error, which quotes the whole header value", async () => {
    const raw = await fetch('http://127.0.0.1:9/', {
      headers: { authorization: `Bearer ${CANARY}\r\nX: y` },
    }).catch((caught: unknown) => caught);
    expect(inspect(raw)).toContain(CANARY);
    const scrubbed = scrubbedError(raw, [CANARY]);
    expect(scrubbed).toBeInstanceOf(TypeError);
    expectNoPiece(inspect(scrubbed, { depth: 20 }), CANARY);
    expectNoPiece(String((scrubbed as Error).stack), CANARY);
  });

  it('scrubs the whole cause chain: messages, stacks, headers, URLs, bodies and aggregated errors', () => {
    const inner = Object.assign(new Error(`upstream echoed ${OTHER}`), {
      headers: new Headers({ 'x-api-key': OTHER, 'x-request-id': 'req_1' }),
      url: new URL(`https://example.test/v1?key=${CANARY}`),
      body: { error: { message: `key ${CANARY} is invalid`, keys: [OTHER] } },
      response: new Response('x', { headers: { 'x-echo': CANARY } }),
    });
    const raw = new Error('call failed', {
      cause: new AggregateError([inner, `plain ${CANARY}`], `two causes for ${OTHER}`),
    });
    const scrubbed = scrubbedError(raw, [CANARY, OTHER]);
    const shown = inspect(scrubbed, { depth: 20, showHidden: true });
    expectNoPiece(shown, CANARY, OTHER);
    expectNoPiece(
      JSON.stringify(scrubbed.cause, (_key, value) => value),
      CANARY,
      OTHER,
    );
    const copyOfInner = (scrubbed.cause as AggregateError).errors[0] as typeof inner;
    expect(copyOfInner.headers.get('x-request-id')).toBe('req_1');
    expect(copyOfInner.headers.get('x-api-key')).toBe('cana...6d7e');
    expect(copyOfInner.message).toBe('upstream echoed cana...6d7e');
    expect(inner.message).toContain(OTHER);
  });

  it('copes with cycles, getters that throw and values that are not errors', () => {
    const cyclic: Record<string, unknown> = { secret: CANARY };
    cyclic.self = cyclic;
    Object.defineProperty(cyclic, 'bad', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const scrubbed = scrubbedError(cyclic, [CANARY]);
    expect(scrubbed.self).toBe(scrubbed);
    expect(scrubbed.secret).toBe('cana...8c0e');
    expect(scrubbedError(`thrown string ${CANARY}`, [CANARY])).toBe('thrown string cana...8c0e');
    expect(scrubbedError(42, [CANARY])).toBe(42);
  });

  it('masks key-like text from anyone, and scales with the text, not the number of secrets', () => {
    expect(maskKeyLike('Incorrect API key provided: sk-proj-abcdefghijklmnop1234')).toBe(
      'Incorrect API key provided: sk-p...1234',
    );
    expect(maskKeyLike('GET /v1/models?key=AIzaSyA1234567890abcdefghijkl&alt=sse')).toBe(
      'GET /v1/models?key=***&alt=sse',
    );
    expect(maskKeyLike('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
    expect(maskKeyLike('model gpt-4o not found')).toBe('model gpt-4o not found');
    // Keys of one provider share their first characters; their bodies are random.
    const many = Array.from(
      { length: 20_000 },
      (_, index) => `sk-proj-${sha256Hex(String(index)).slice(0, 32)}`,
    );
    const scrub = createSecretScrubber(many);
    // A scan over every secret per text would make 2,000 scrubs cost 40 million substring searches (about 10 s here);
    // the window index makes them cost a few lookups per character (about 50 ms). The bound is loose for a busy machine.
    const started = performance.now();
    let out = '';
    for (let index = 0; index < 2_000; index++) out = scrub(`failed with ${many[19_999]} and ${many[7]}`);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(out).toBe(`failed with sk-p...${many[19_999]!.slice(-4)} and sk-p...${many[7]!.slice(-4)}`);
  });
});

describe('the pool keeps only scrubbed causes', () => {
  it('a ProviderError cause chain holds no secret of the pool (util.inspect shows it whole)', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [
        { id: 'a', secret: CANARY },
        { id: 'b', secret: OTHER },
      ],
      maxAttempts: 1,
    });
    const error = await pool
      .execute(async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error(`Bearer ${CANARY} / ${OTHER}`), {
            headers: new Headers({ authorization: `Bearer ${OTHER}` }),
          }),
        });
      })
      .catch((caught: unknown) => caught);
    expectNoPiece(inspect(error, { depth: 30, showHidden: true }), CANARY, OTHER);
  });

  it('disableKey scrubs the reason with every secret of the pool before the snapshot and the event', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [
        { id: 'a', secret: CANARY },
        { id: 'b', secret: OTHER },
      ],
    });
    const events: unknown[] = [];
    pool.onAny((event) => events.push(event));
    await pool.disableKey('a', `leaked: ${CANARY} and ${OTHER}, also sk-proj-abcdefghijklmnop1234`);
    const shown = JSON.stringify([pool.snapshot(), events, pool.toJSON()]);
    expectNoPiece(shown, CANARY, OTHER, 'sk-proj-abcdefghijklmnop1234');
    expect(shown).toContain('leaked: cana...8c0e and cana...6d7e');
  });
});
