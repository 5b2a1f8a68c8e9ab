import { describe, expect, it } from 'vitest';
import type { KeyConfig } from '../config';
import type { ContinuationRule } from '../continuation-capabilities';
import type { PoolEvent } from '../events';
import { type NativeInterruptMode, nativeRestartOf } from '../native-stream-restart';
import { planPrefill } from '../trim-overlap';
import type { ContinuationEmulator } from './continuation-conformance';

/** The pool options the suite sets on the pools it builds. */
export interface NativeStreamPoolOptions {
  nativeStreams?: { onInterrupt?: NativeInterruptMode };
  continuation?: { capabilities?: readonly ContinuationRule[] };
  streamIdleTimeoutMs?: number;
}

/** Options of {@link runNativeStreamConformance}. */
export interface NativeStreamConformanceOptions<TPool, TChunk> {
  /** The suite's title, e.g. `@keypool/openai`. */
  name: string;
  emulator: () => ContinuationEmulator;
  /** Two keys the emulator accepts. */
  keys: readonly [string, string];
  /** Builds a pool over the emulator (round-robin, so the first stream runs on the first key). */
  createPool(
    keys: KeyConfig[],
    options: NativeStreamPoolOptions,
  ): TPool & { onAny(listener: (event: PoolEvent) => void): () => void };
  /** Opens the native stream through `pool.client` (e.g. `client.chat.completions.create({ stream: true })`). */
  stream(pool: TPool, model: string, prompt: string): Promise<AsyncIterable<TChunk>>;
  /** Opens the same stream with the bare SDK on one key (the differential's reference). */
  rawStream(secret: string, model: string, prompt: string): Promise<AsyncIterable<TChunk>>;
  /** The answer text a chunk carries ('' for none). */
  textOf(chunk: TChunk): string;
  /** The chunk's stream id (its message or response id), if it has one. */
  idOf(chunk: TChunk): string | undefined;
  /** A chunk with its per-request ids and times blanked, for comparing two streams. */
  normalize(chunk: TChunk): unknown;
  /** A model the capability table continues by prefill (omit for a provider without prefill). */
  prefillModel?: string;
  /** A model continued without prefill (asked again). */
  restartModel: string;
  /** Capability rules (e.g. to make `restartModel` restart). */
  rules?: readonly ContinuationRule[];
}

const PROMPT = 'the cat saw the cat and the cat sat on the mat near the cat';
let counter = 0;

const restartOf = nativeRestartOf;

/**
 * The suite every provider package runs for `pool.client` native streams with the real SDK against the emulator:
 * without the opt-in a cut ends in the SDK's error as before; with `nativeStreams: { onInterrupt: 'continue' }` a cut,
 * an error event, a stall and a malformed event after the first chunk all end in the intended answer read as SDK
 * chunks (one stream id, only new text, the continuation request in the log, with its prefill where the model takes
 * one); `restart` marks the new answer's first chunk with `keypool.restart`; an unbroken stream reads exactly as the
 * bare SDK's.
 */
export function runNativeStreamConformance<TPool, TChunk>(
  options: NativeStreamConformanceOptions<TPool, TChunk>,
): void {
  const fresh = (prefix: string, behaviour: Record<string, unknown>): string => {
    counter += 1;
    const model = `${prefix}-native-${counter}`;
    options.emulator().setModelBehaviour(model, behaviour);
    return model;
  };
  const keys = () => options.keys.map((secret, index) => ({ id: `key-${index + 1}`, secret }));
  const streamsOf = (model: string) =>
    options.emulator().requests.filter((entry) => entry.model === model && entry.stream);
  const read = async (stream: AsyncIterable<TChunk>) => {
    const chunks: TChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  };
  const textOf = (chunks: readonly TChunk[]) => chunks.map((chunk) => options.textOf(chunk)).join('');
  /** The intended answer: the bare SDK's unbroken stream of the same request, on a model of the same family. */
  const intendedFor = async (prefix: string) =>
    textOf(await read(await options.rawStream(options.keys[0], fresh(prefix, {}), PROMPT)));
  const survive = async (model: string, extra: NativeStreamPoolOptions = {}) => {
    const pool = options.createPool(keys(), {
      nativeStreams: { onInterrupt: 'continue' },
      ...(options.rules ? { continuation: { capabilities: options.rules } } : {}),
      ...extra,
    });
    const events: PoolEvent[] = [];
    pool.onAny((event) => {
      if (event.type.startsWith('stream.')) events.push(event);
    });
    const chunks = await read(await options.stream(pool, model, PROMPT));
    return { chunks, events };
  };
  const faults: [string, Record<string, unknown>, NativeStreamPoolOptions][] = [
    ['a cut after three chunks', { streamCutAfterChunks: 3 }, {}],
    ['an error event mid-stream', { midStreamError: true, faultAfterChunks: 4 }, {}],
    ['a stall past the idle timeout', { streamStallAfterChunks: 2 }, { streamIdleTimeoutMs: 300 }],
    ['a malformed event', { malformedChunk: true, faultAfterChunks: 4 }, {}],
  ];

  describe(`${options.name}: pool.client native streams that survive (nativeStreams)`, () => {
    it('reads an unbroken stream exactly as the bare SDK yields it', async () => {
      const model = fresh(options.restartModel, {});
      const raw = await read(await options.rawStream(options.keys[0], model, PROMPT));
      const { chunks } = await survive(model);
      expect(chunks.map(options.normalize)).toEqual(raw.map(options.normalize));
      expect(chunks.length).toBeGreaterThan(2);
    });

    it('without the opt-in, a cut after the first chunk still ends in the SDK error (today’s behaviour)', async () => {
      const model = fresh(options.restartModel, { streamCutAfterChunks: 3, streamFaultTimes: 1 });
      const pool = options.createPool(keys(), {});
      const stream = await options.stream(pool, model, PROMPT);
      await expect(read(stream)).rejects.toThrow();
      expect(streamsOf(model)).toHaveLength(1);
    });

    it('a consumer that stops early is not a break: nothing is continued', async () => {
      const model = fresh(options.restartModel, {
        streamStallAfterChunks: 2,
        stallMs: 200,
        streamFaultTimes: 1,
      });
      const pool = options.createPool(keys(), { nativeStreams: { onInterrupt: 'continue' } });
      const events: string[] = [];
      pool.onAny((event) => {
        if (event.type.startsWith('stream.')) events.push(event.type);
      });
      for await (const chunk of await options.stream(pool, model, PROMPT)) {
        if (options.textOf(chunk) !== '') break;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events).toEqual([]);
      expect(streamsOf(model)).toHaveLength(1);
    });

    const models: [string, string | undefined][] = [
      ['asked again (no prefill)', options.restartModel],
      ['by prefill', options.prefillModel],
    ];
    for (const [how, prefix] of models) {
      if (!prefix) continue;
      for (const [label, behaviour, extra] of faults) {
        it(`continues ${how} after ${label}: one stream id, only new text, the intended answer`, async () => {
          const intended = await intendedFor(prefix);
          const model = fresh(prefix, { ...behaviour, streamFaultTimes: 1 });
          const { chunks, events } = await survive(model, extra);
          expect(textOf(chunks)).toBe(intended);
          expect(chunks.some((chunk) => restartOf(chunk) !== undefined)).toBe(false);
          const ids = new Set(chunks.map(options.idOf).filter((id) => id !== undefined));
          expect(ids.size).toBe(1);
          const log = streamsOf(model).filter((entry) => entry.status === 200);
          expect(log).toHaveLength(2); // the broken stream and its continuation
          if (prefix === options.prefillModel) {
            // The prefill is what the consumer had read, cut back to a safe word end.
            const prefill = log[1]?.prefill ?? '';
            expect(prefill.length).toBeGreaterThan(0);
            expect(intended.startsWith(prefill)).toBe(true);
            expect(planPrefill(prefill).prefill.length).toBeLessThanOrEqual(prefill.length);
          } else expect(log[1]?.prefill).toBeUndefined();
          const types = events.map((event) => event.type);
          expect(types).toEqual(expect.arrayContaining(['stream.interrupted', 'stream.continued']));
          const continued = events.find((event) => event.type === 'stream.continued');
          expect(continued).toMatchObject({ fromKeyId: 'key-1', toKeyId: 'key-2' });
          for (const secret of options.keys) expect(JSON.stringify(events)).not.toContain(secret);
        });
      }
    }

    const prefillModel = options.prefillModel;
    if (prefillModel) {
      it('trims a continuation that repeats the last words of the prefill', async () => {
        const intended = await intendedFor(prefillModel);
        const model = fresh(prefillModel, {
          streamCutAfterChunks: 4,
          streamFaultTimes: 1,
          prefillRepeatWords: 2,
        });
        const { chunks } = await survive(model);
        expect(textOf(chunks)).toBe(intended);
        expect(streamsOf(model)[1]?.prefill?.length).toBeGreaterThan(0);
      });

      it('never surfaces a prefill rejection: it asks again and passes on only the new text', async () => {
        const intended = await intendedFor(prefillModel);
        const model = fresh(prefillModel, {
          streamCutAfterChunks: 3,
          streamFaultTimes: 1,
          rejectPrefill: true,
        });
        const { chunks, events } = await survive(model);
        expect(textOf(chunks)).toBe(intended);
        expect(events.map((event) => event.type)).toContain('stream.prefill_rejected');
        const log = streamsOf(model);
        expect(log.map((entry) => entry.status)).toEqual([200, 400, 200]);
        expect(log[2]?.prefill).toBeUndefined();
      });
    }

    it("with 'restart' the new answer's first chunk carries keypool.restart with the discarded text", async () => {
      const prefix = options.prefillModel ?? options.restartModel;
      const intended = await intendedFor(prefix);
      const model = fresh(prefix, { streamCutAfterChunks: 3, streamFaultTimes: 1 });
      const { chunks, events } = await survive(model, { nativeStreams: { onInterrupt: 'restart' } });
      const at = chunks.findIndex((chunk) => restartOf(chunk) !== undefined);
      expect(at).toBeGreaterThan(0);
      const before = textOf(chunks.slice(0, at));
      expect(before.length).toBeGreaterThan(0);
      expect(restartOf(chunks[at])?.discardedText).toBe(before);
      expect(textOf(chunks.slice(at))).toBe(intended);
      expect(events.map((event) => event.type)).toContain('stream.restarted');
      expect(streamsOf(model).at(-1)?.prefill).toBeUndefined();
    });
  });
}
