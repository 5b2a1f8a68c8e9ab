import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatRequest } from './chat';
import { ConfigError, StreamInterruptedError } from './errors';
import type { PoolEvent } from './events';
import { createKeyPool } from './key-pool';
import type { PoolStreamEvent } from './pool-stream';
import { FakeAdapter } from './testing';

const A = 'sk-pool-stream-aaaaaaaaaaaaaaaa';
const B = 'sk-pool-stream-bbbbbbbbbbbbbbbb';
const C = 'sk-pool-stream-cccccccccccccccc';
const KEYS = [
  { id: 'k1', secret: A },
  { id: 'k2', secret: B },
];
const REQUEST: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'A story?' }] };
const ANSWER = ['Once', ' upon', ' a', ' time.'];

async function collect(stream: AsyncIterable<PoolStreamEvent>) {
  const events: PoolStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  let screen = '';
  for (const event of events) {
    if (event.type === 'delta') screen += event.text;
    else if (event.type === 'restart') screen = '';
  }
  return { events, screen };
}

function pool(adapter: FakeAdapter, options: Record<string, unknown> = {}) {
  return createKeyPool({ adapter, keys: KEYS, strategy: 'round-robin', random: () => 0, ...options });
}

describe('pool.stream: a break after output is continued on another key', () => {
  it('restarts on the next key, announced before the new text, and says so in the result', async () => {
    const adapter = new FakeAdapter()
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 2 })
      .always(B, { type: 'stream', chunks: ANSWER });
    const target = pool(adapter);
    const seen: PoolEvent[] = [];
    target.onAny((event) => {
      if (event.type.startsWith('stream.')) seen.push(event);
    });
    const { events, screen } = await collect(target.stream(REQUEST));
    expect(screen).toBe('Once upon a time.');
    const types = events.map((event) => event.type);
    expect(types).toEqual(['delta', 'delta', 'restart', 'delta', 'delta', 'delta', 'delta', 'done']);
    expect(events[2]).toEqual({ type: 'restart', reason: 'server', discardedText: 'Once upon' });
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.result.text).toBe('Once upon a time.');
    expect(done.result.continued).toEqual([
      {
        at: 9,
        from: { provider: 'fake', model: 'm', keyId: 'k1' },
        to: { provider: 'fake', model: 'm', keyId: 'k2' },
        how: 'restart',
        reason: 'server',
      },
    ]);
    // The broken attempt was billed: its estimate is added to the serving attempt's reported usage.
    expect(done.result.usageEstimated).toBe(true);
    expect(done.result.usage.totalTokens).toBeGreaterThan(1 + 'Once upon a time.'.length);
    expect(seen.map((event) => event.type)).toEqual([
      'stream.interrupted',
      'stream.continued',
      'stream.restarted',
    ]);
    expect(seen[0]).toMatchObject({
      provider: 'fake',
      keyId: 'k1',
      chars: 9,
      category: 'server',
      model: 'm',
    });
    expect(seen[2]).toMatchObject({ reason: 'server', discardedChars: 9 });
    const serialized = JSON.stringify(seen);
    for (const secret of [A, B]) expect(serialized).not.toContain(secret);
    // The continuation went to the other key; the key that broke is not asked again.
    expect(adapter.calls.map((call) => call.secret)).toEqual([A, B]);
  });

  it('emits stream.continued once the continuation key is known, with from/to key ids, chars and how, before its text', async () => {
    const adapter = new FakeAdapter()
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 2 })
      .always(B, { type: 'stream', chunks: ANSWER });
    const target = pool(adapter);
    // One timeline: pool events and what the consumer reads, in the order they happen.
    const timeline: string[] = [];
    let continued: PoolEvent | undefined;
    target.onAny((event) => {
      if (event.type === 'key.selected') timeline.push(`selected ${event.keyId}`);
      if (event.type === 'stream.continued') {
        continued = event;
        timeline.push('stream.continued');
      }
    });
    for await (const event of target.stream(REQUEST))
      timeline.push(event.type === 'delta' ? `delta ${event.text}` : event.type);
    expect(timeline).toEqual([
      'selected k1',
      'delta Once',
      'delta  upon',
      'selected k2',
      'stream.continued',
      'restart',
      'delta Once',
      'delta  upon',
      'delta  a',
      'delta  time.',
      'done',
    ]);
    expect(continued).toMatchObject({
      type: 'stream.continued',
      provider: 'fake',
      model: 'm',
      chars: 9,
      how: 'restart',
      fromKeyId: 'k1',
      toKeyId: 'k2',
      record: { to: { keyId: 'k2' }, from: { keyId: 'k1' } },
    });
    for (const secret of [A, B]) expect(JSON.stringify(continued)).not.toContain(secret);
  });

  it('records the serving attempt as a success (the key is settled before done reaches the caller)', async () => {
    const adapter = new FakeAdapter()
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 1 })
      .always(B, { type: 'stream', chunks: ANSWER });
    const outcomes: string[] = [];
    await collect(
      pool(adapter).stream(REQUEST, {
        onAttempt: (attempt) => outcomes.push(`${attempt.keyId}:${attempt.outcome}`),
      }),
    );
    expect(outcomes).toEqual(['k1:failure', 'k2:success']);
  });

  it("onInterrupt 'fail' on the pool keeps the engine's StreamInterruptedError with the partial text", async () => {
    const adapter = new FakeAdapter()
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 2 })
      .always(B, { type: 'stream', chunks: ANSWER });
    const error = await collect(pool(adapter, { onInterrupt: 'fail' }).stream(REQUEST)).catch((e) => e);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('Once upon');
    expect(adapter.calls).toHaveLength(1);
  });

  it('a call can override the pool: continue where the pool says fail', async () => {
    const adapter = new FakeAdapter()
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 2 })
      .always(B, { type: 'stream', chunks: ANSWER });
    const target = pool(adapter, { onInterrupt: 'fail' });
    const { screen } = await collect(target.stream(REQUEST, { onInterrupt: 'continue' }));
    expect(screen).toBe('Once upon a time.');
  });

  it('gives up with StreamInterruptedError carrying the partial text after maxContinuations breaks', async () => {
    const adapter = new FakeAdapter()
      .always(A, { type: 'stream', chunks: ANSWER, failAfter: 2 })
      .always(B, { type: 'stream', chunks: ANSWER, failAfter: 3 });
    const target = pool(adapter, { continuation: { maxContinuations: 2 } });
    const shown: string[] = [];
    const error = await (async () => {
      for await (const event of target.stream(REQUEST)) {
        if (event.type === 'delta') shown.push(event.text);
        if (event.type === 'restart') shown.length = 0;
      }
    })().catch((e: unknown) => e);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe(shown.join(''));
    expect(adapter.calls).toHaveLength(3);
  });

  it('restarts a stream that asked for tools (never continues half-written structured output)', async () => {
    const adapter = new FakeAdapter({ provider: 'mistral' })
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 2 })
      .always(B, { type: 'stream', chunks: ANSWER });
    const tools = [{ name: 'lookup', description: 'looks up', parameters: { type: 'object' } }];
    const { events } = await collect(pool(adapter).stream({ ...REQUEST, tools } as ChatRequest));
    expect(events.some((event) => event.type === 'restart')).toBe(true);
  });
});

describe('pool.stream: the deadline bounds the whole call, continuations included', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends with StreamInterruptedError and the partial text when the continuation cannot start in time', async () => {
    const adapter = new FakeAdapter()
      .script(A, { type: 'stream', chunks: ANSWER, failAfter: 2, chunkDelayMs: 400 })
      .always(B, { type: 'stream', chunks: ANSWER, chunkDelayMs: 400 });
    const target = pool(adapter, { deadlineMs: 1_000 });
    const run = collect(target.stream(REQUEST)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = await run;
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('Once upon');
    expect((error as Error).message).toMatch(/could not be continued/);
  });
});

describe('pool options: onInterrupt and continuation', () => {
  it('rejects an unknown onInterrupt with a ConfigError naming the option', () => {
    const adapter = new FakeAdapter();
    const error = (() => {
      try {
        pool(adapter, { onInterrupt: 'retry' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([
      { path: 'onInterrupt', message: expect.stringContaining('must be one of continue, restart, fail') },
    ]);
  });

  it('rejects bad continuation settings by path', () => {
    const adapter = new FakeAdapter();
    const error = (() => {
      try {
        pool(adapter, {
          continuation: { maxContinuations: -1, capabilities: [{ provider: '*', model: '*', method: 'x' }] },
        });
      } catch (caught) {
        return caught;
      }
    })() as ConfigError;
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'continuation.capabilities[0].method',
      'continuation.maxContinuations',
    ]);
  });

  it('rejects bad nativeStreams settings with a ConfigError naming the path', () => {
    const error = (() => {
      try {
        pool(new FakeAdapter(), { nativeStreams: { onInterrupt: 'resume', onBreak: 'x' } });
      } catch (caught) {
        return caught;
      }
    })() as ConfigError;
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        {
          path: 'nativeStreams.onInterrupt',
          message: expect.stringContaining('must be one of continue, restart, fail'),
        },
        { path: 'nativeStreams.onBreak', message: expect.stringContaining('onBreak') },
      ]),
    );
    expect(() => pool(new FakeAdapter(), { nativeStreams: { onInterrupt: 'continue' } })).not.toThrow();
  });

  it('accepts the three modes', () => {
    for (const onInterrupt of ['continue', 'restart', 'fail'])
      expect(() => pool(new FakeAdapter(), { onInterrupt, keys: [{ id: 'k3', secret: C }] })).not.toThrow();
  });
});
