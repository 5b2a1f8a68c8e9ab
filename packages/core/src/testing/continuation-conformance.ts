import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../adapter';
import type { ProviderName } from '../categories';
import type { ChatRequest, ChatResult } from '../chat';
import type { KeyConfig } from '../config';
import type { ContinuationRule } from '../continuation-capabilities';
import type { ContinuedResult, ContinuedStreamEvent } from '../continued-stream-event';
import type { PoolEvent } from '../events';
import type { MalformedStreamEvent } from '../skip-malformed-events';
import { planPrefill } from '../trim-overlap';

/** What the suite needs of the emulator (`@keypool/emulator`'s `Emulator` has it). */
export interface ContinuationEmulator {
  setModelBehaviour(model: string, behaviour: Record<string, unknown>): void;
  readonly requests: readonly {
    model: string;
    stream: boolean;
    status: number;
    outcome: string;
    prefill?: string;
  }[];
}

/**
 * A pool with the unified `chat` (for the uninterrupted answer), a `stream` that continues by itself (a core
 * `KeyPool`'s), and its events.
 */
export interface ContinuationPool {
  readonly provider: ProviderName;
  chat(request: ChatRequest): Promise<ChatResult>;
  stream(
    request: ChatRequest,
    options?: { idleTimeoutMs?: number; continuation?: { capabilities?: readonly ContinuationRule[] } },
  ): AsyncIterable<ContinuedStreamEvent>;
  onAny(listener: (event: PoolEvent) => void): () => void;
}

/** Options of {@link runContinuationConformance}. */
export interface ContinuationConformanceOptions {
  /** The suite's title, e.g. `@keypool/anthropic`. */
  name: string;
  /** Evaluated inside the tests (after your `beforeAll` started it). */
  emulator: () => ContinuationEmulator;
  /** Builds a pool over the emulator with these keys. */
  createPool: (keys: KeyConfig[]) => ContinuationPool;
  /** Two keys the emulator accepts. */
  keys: readonly [string, string];
  /** A model name prefix the capability table continues by prefill (omit for a provider without prefill). */
  prefillModel?: string;
  /** A model name prefix the capability table restarts. */
  restartModel: string;
  /** Capability rules for every continuation (e.g. to make `restartModel` restart). */
  rules?: readonly ContinuationRule[];
  /** The provider's adapter, for the malformed-event checks on a client built with `reportMalformedEvent`. */
  createAdapter: () => ProviderAdapter<unknown>;
}

const QUESTION = 'the cat saw the cat and the cat sat on the mat near the cat';
let counter = 0;

async function run(stream: AsyncIterable<ContinuedStreamEvent>) {
  const events: ContinuedStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('the stream ended without done');
  let screen = '';
  for (const event of events) {
    if (event.type === 'delta') screen += event.text;
    else if (event.type === 'restart') screen = '';
  }
  return { events, result: done.result as ContinuedResult, screen };
}

/**
 * The stream-continuation suite every provider package runs live against the emulator with the real SDK: through the
 * pool's own `stream`, a cut, an error event, a stall and a malformed event mid-stream all end in the answer the model
 * intended, with no repeated and no missing word; the request log shows the continuation request (with its prefill
 * where the model accepts one); a restart is announced before the new text; a prefill rejection never reaches the
 * caller; the pool reports each break as `stream.*` events without secrets.
 */
export function runContinuationConformance(options: ContinuationConformanceOptions): void {
  const fresh = (prefix: string, behaviour: Record<string, unknown>): string => {
    counter += 1;
    const model = `${prefix}-cont-${counter}`;
    options.emulator().setModelBehaviour(model, behaviour);
    return model;
  };
  const pool = () =>
    options.createPool(options.keys.map((secret, index) => ({ id: `key-${index + 1}`, secret })));
  const request = (model: string): ChatRequest => ({
    model,
    maxTokens: 256,
    messages: [{ role: 'user', content: QUESTION }],
  });
  const streamsOf = (model: string) =>
    options.emulator().requests.filter((entry) => entry.model === model && entry.stream);
  /** `pool.stream` itself (default `onInterrupt: 'continue'`) over a fault: the intended answer, and the events. */
  const survive = async (model: string, extra: { idleTimeoutMs?: number } = {}) => {
    const target = pool();
    const intended = (await target.chat(request(model))).text;
    const poolEvents: PoolEvent[] = [];
    target.onAny((event) => {
      if (event.type.startsWith('stream.')) poolEvents.push(event);
    });
    const outcome = await run(
      target.stream(request(model), {
        ...(options.rules ? { continuation: { capabilities: options.rules } } : {}),
        ...(extra.idleTimeoutMs ? { idleTimeoutMs: extra.idleTimeoutMs } : {}),
      }),
    );
    expect(outcome.screen).toBe(intended);
    expect(outcome.result.text).toBe(intended);
    expect(outcome.result.continued.length).toBe(1);
    const types = poolEvents.map((event) => event.type);
    expect(types).toContain('stream.interrupted');
    expect(types).toContain('stream.continued');
    for (const secret of options.keys) expect(JSON.stringify(poolEvents)).not.toContain(secret);
    return { ...outcome, intended, poolEvents };
  };
  const faults: [string, Record<string, unknown>, { idleTimeoutMs?: number }][] = [
    ['a cut after three chunks', { streamCutAfterChunks: 3 }, {}],
    ['an error event mid-stream', { midStreamError: true, faultAfterChunks: 4 }, {}],
    ['a stall past the idle timeout', { streamStallAfterChunks: 2 }, { idleTimeoutMs: 300 }],
    ['a malformed event', { malformedChunk: true, faultAfterChunks: 4 }, {}],
  ];

  /** Streams through the adapter on a client built with the malformed-event hook. */
  const streamWithHook = async (model: string) => {
    const adapter = options.createAdapter();
    const reported: MalformedStreamEvent[] = [];
    const client = adapter.createClient(options.keys[0], {
      reportRateLimit: () => undefined,
      reportMalformedEvent: (event) => reported.push(event),
    });
    let text = '';
    let error: unknown;
    const context = {
      signal: new AbortController().signal,
      keyId: 'key-1',
      reportRateLimit: () => undefined,
      reportUsage: () => undefined,
    };
    try {
      for await (const part of adapter.stream(client, request(model), context)) {
        if (part.type === 'delta') text += part.text;
      }
    } catch (caught) {
      error = caught;
    }
    return { text, error, reported };
  };

  describe(`${options.name}: streams that survive`, () => {
    it('skips and reports a malformed event that carries no text: the stream goes on, whole', async () => {
      const model = fresh(options.restartModel, { malformedNoise: true, faultAfterChunks: 2 });
      const intended = (await pool().chat(request(model))).text;
      const { text, error, reported } = await streamWithHook(model);
      expect(error).toBeUndefined();
      expect(text).toBe(intended);
      expect(reported).toEqual([{ length: expect.any(Number), skipped: true }]);
    });

    it('pool.stream skips a malformed event that carries no text and reports it as stream.malformed_event', async () => {
      const model = fresh(options.restartModel, { malformedNoise: true, faultAfterChunks: 2 });
      const target = pool();
      const intended = (await target.chat(request(model))).text;
      const poolEvents: PoolEvent[] = [];
      target.onAny((event) => {
        if (event.type.startsWith('stream.')) poolEvents.push(event);
      });
      const outcome = await run(target.stream(request(model)));
      expect(outcome.screen).toBe(intended);
      expect(outcome.result.continued).toEqual([]);
      expect(poolEvents).toEqual([
        expect.objectContaining({ type: 'stream.malformed_event', keyId: expect.any(String), skipped: true }),
      ]);
    });

    it('reports a malformed event that may have carried text without dropping it (the break is continued)', async () => {
      const model = fresh(options.restartModel, { malformedChunk: true, faultAfterChunks: 2 });
      const { error, reported } = await streamWithHook(model);
      expect(error).toBeDefined();
      expect(reported).toMatchObject([{ skipped: false }]);
    });

    const prefillModel = options.prefillModel;
    if (prefillModel) {
      for (const [label, behaviour, extra] of faults) {
        it(`continues by prefill after ${label}: the intended answer, no repeat, no gap`, async () => {
          const model = fresh(prefillModel, { ...behaviour, streamFaultTimes: 1 });
          const { events, result, intended } = await survive(model, extra);
          expect(events.some((event) => event.type === 'restart')).toBe(false);
          const record = result.continued[0];
          expect(record?.how).toBe('prefill');
          const expected = planPrefill(intended.slice(0, record?.at ?? 0)).prefill;
          expect(expected.length).toBeGreaterThan(0);
          expect(streamsOf(model).map((entry) => entry.prefill)).toEqual([undefined, expected]);
        });
      }

      it('trims a continuation that repeats the last words of the prefill', async () => {
        const model = fresh(prefillModel, {
          streamCutAfterChunks: 4,
          streamFaultTimes: 1,
          prefillRepeatWords: 2,
        });
        const { result } = await survive(model);
        expect(result.continued[0]?.how).toBe('prefill');
      });

      it('never surfaces a prefill rejection: it restarts, announced', async () => {
        const model = fresh(prefillModel, {
          streamCutAfterChunks: 3,
          streamFaultTimes: 1,
          rejectPrefill: true,
        });
        const { events, result, poolEvents } = await survive(model);
        expect(result.continued[0]).toMatchObject({ how: 'restart', prefillRejected: true });
        expect(poolEvents.map((event) => event.type)).toContain('stream.prefill_rejected');
        expect(events.some((event) => event.type === 'restart')).toBe(true);
        const log = streamsOf(model);
        expect(log.map((entry) => entry.status)).toEqual([200, 400, 200]);
        expect(log[2]?.prefill).toBeUndefined();
      });
    }

    for (const [label, behaviour, extra] of faults) {
      it(`restarts, announced before the new text, after ${label} on a model without prefill`, async () => {
        const model = fresh(options.restartModel, { ...behaviour, streamFaultTimes: 1 });
        const { events, result, poolEvents } = await survive(model, extra);
        const restartAt = events.findIndex((event) => event.type === 'restart');
        expect(restartAt).toBeGreaterThan(0);
        const discarded = events
          .slice(0, restartAt)
          .map((event) => (event.type === 'delta' ? event.text : ''))
          .join('');
        expect(events[restartAt]).toMatchObject({ type: 'restart', discardedText: discarded });
        expect(events[restartAt + 1]?.type).toBe('delta');
        expect(result.continued[0]?.how).toBe('restart');
        expect(poolEvents.map((event) => event.type)).toContain('stream.restarted');
        expect(streamsOf(model).map((entry) => entry.prefill)).toEqual([undefined, undefined]);
      });
    }
  });
}
