import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResult } from './chat';
import { ContinuationCapabilities, type StreamTarget } from './continuation-capabilities';
import { continuePoolStream, type PoolStreamCallOptions } from './continue-pool-stream';
import type { ContinuedStreamEvent, StreamContinuationEvent } from './continued-stream-event';
import { PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import { continueStream, type StreamAttempt, type UnifiedStreamEvent } from './stream-continuation';

const REQUEST: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'Tell me about cats.' }] };
const ANSWER = 'The cat saw the cat, and the cat sat on the mat.';

/** What one scripted stream does: text pieces, then `done`, a break (StreamInterruptedError) or an error before output. */
interface Segment {
  target: StreamTarget;
  keyId: string;
  pieces?: readonly string[];
  end: 'done' | 'break' | { throw: unknown };
  extra?: readonly { type: string }[];
}

function result(keyId: string, text: string, outputTokens = 10): ChatResult {
  return {
    text,
    finishReason: 'stop',
    usage: { inputTokens: 5, outputTokens, totalTokens: 5 + outputTokens },
    provider: 'anthropic',
    model: 'm',
    keyId,
  };
}

/** An opener that plays `segments` in order and records every attempt and the request it sent. */
function scripted(segments: readonly Segment[]) {
  const seen: { attempt: StreamAttempt; request: ChatRequest }[] = [];
  let index = 0;
  const open = (attempt: StreamAttempt): AsyncIterable<UnifiedStreamEvent<ChatResult>> => {
    const segment = segments[index++];
    if (!segment) throw new Error('no more segments');
    const request = attempt.requestFor(segment.target);
    seen.push({ attempt, request });
    return (async function* () {
      if (typeof segment.end === 'object') throw segment.end.throw;
      let text = '';
      for (const event of segment.extra ?? []) yield event as UnifiedStreamEvent<ChatResult>;
      for (const piece of segment.pieces ?? []) {
        text += piece;
        yield { type: 'delta', text: piece };
      }
      if (segment.end === 'break') {
        throw new StreamInterruptedError(
          {
            category: 'network',
            message: 'socket hang up',
            provider: segment.target.provider,
            keyId: segment.keyId,
          },
          text,
        );
      }
      yield { type: 'done', result: result(segment.keyId, text) };
    })();
  };
  return { open, seen };
}

async function collect(stream: AsyncIterable<ContinuedStreamEvent>) {
  const events: ContinuedStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('no done event');
  // What a UI shows: deltas appended, cleared on each restart.
  let screen = '';
  for (const event of events) {
    if (event.type === 'delta') screen += event.text;
    if (event.type === 'restart') screen = '';
  }
  return { events, result: done.result, screen };
}

const haiku: StreamTarget = { provider: 'anthropic', model: 'claude-haiku-4-5' };
const opus: StreamTarget = { provider: 'anthropic', model: 'claude-opus-4-7' };

describe('continueStream', () => {
  it('continues a broken answer by prefill on another key, trimming the repeated words', async () => {
    const { open, seen } = scripted([
      { target: haiku, keyId: 'k1', pieces: ['The cat saw ', 'the cat, and th'], end: 'break' },
      // The model repeats two words of the prefill ("cat, and") before going on.
      { target: haiku, keyId: 'k2', pieces: ['cat, and the ', 'cat sat on the mat.'], end: 'done' },
    ]);
    const { events, result, screen } = await collect(continueStream(REQUEST, open));
    expect(screen).toBe(ANSWER);
    expect(result.text).toBe(ANSWER);
    expect(events.some((event) => event.type === 'restart')).toBe(false);
    expect(seen[1]?.attempt.avoidKeyIds).toEqual(['k1']);
    expect(seen[1]?.request.continueFrom).toBe('The cat saw the cat, and');
    expect(result.continued).toEqual([
      {
        at: 'The cat saw the cat, and th'.length,
        from: { ...haiku, keyId: 'k1' },
        to: { ...haiku, keyId: 'k2' },
        how: 'prefill',
        reason: 'network',
      },
    ]);
    // The broken attempt was billed too: its estimate is added to the serving attempt's real usage.
    expect(result.usage.outputTokens).toBe(10 + Math.ceil('The cat saw the cat, and th'.length / 4));
    expect(result.usageEstimated).toBe(true);
  });

  it('restarts on a model without prefill, announcing it before the new text', async () => {
    const { open, seen } = scripted([
      { target: opus, keyId: 'k1', pieces: ['The cat saw ', 'the'], end: 'break' },
      {
        target: opus,
        keyId: 'k2',
        pieces: ['The cat saw the cat, ', 'and the cat sat on the mat.'],
        end: 'done',
      },
    ]);
    const { events, result, screen } = await collect(continueStream(REQUEST, open));
    const restartAt = events.findIndex((event) => event.type === 'restart');
    expect(events[restartAt]).toEqual({
      type: 'restart',
      reason: 'network',
      discardedText: 'The cat saw the',
    });
    expect(events.slice(restartAt + 1)[0]).toEqual({ type: 'delta', text: 'The cat saw the cat, ' });
    expect(seen[1]?.request.continueFrom).toBeUndefined();
    expect(screen).toBe(ANSWER);
    expect(result.text).toBe(ANSWER);
    expect(result.continued[0]?.how).toBe('restart');
  });

  it('never surfaces a prefill rejection: it restarts and remembers the model cannot continue', async () => {
    const rejection = new ProviderError({
      category: 'invalid_request',
      status: 400,
      message:
        'This model does not support assistant message prefill. The conversation must end with a user message.',
      provider: 'anthropic',
      keyId: 'k2',
    });
    const capabilities = new ContinuationCapabilities([
      { provider: 'anthropic', model: '*', method: 'prefill' },
    ]);
    const events: StreamContinuationEvent[] = [];
    const { open, seen } = scripted([
      { target: opus, keyId: 'k1', pieces: ['The cat saw ', 'the'], end: 'break' },
      { target: opus, keyId: 'k2', end: { throw: rejection } },
      { target: opus, keyId: 'k2', pieces: [ANSWER], end: 'done' },
    ]);
    const run = await collect(
      continueStream(REQUEST, open, { capabilities, onEvent: (event) => events.push(event) }),
    );
    expect(run.screen).toBe(ANSWER);
    expect(seen[1]?.request.continueFrom).toBe('The cat saw');
    expect(seen[2]?.request.continueFrom).toBeUndefined();
    expect(run.result.continued).toMatchObject([{ how: 'restart', prefillRejected: true }]);
    expect(events.map((event) => event.type)).toEqual([
      'stream.interrupted',
      'stream.prefill_rejected',
      'stream.continued',
    ]);
    expect(capabilities.methodFor(opus)).toBe('restart');
  });

  it("with onInterrupt 'restart' restarts even where a prefill would work", async () => {
    const { open, seen } = scripted([
      { target: haiku, keyId: 'k1', pieces: ['The cat '], end: 'break' },
      { target: haiku, keyId: 'k2', pieces: [ANSWER], end: 'done' },
    ]);
    const run = await collect(continueStream(REQUEST, open, { onInterrupt: 'restart' }));
    expect(seen[1]?.request.continueFrom).toBeUndefined();
    expect(run.events[1]).toMatchObject({ type: 'restart', discardedText: 'The cat ' });
    expect(run.screen).toBe(ANSWER);
  });

  it("with onInterrupt 'fail' ends with the original StreamInterruptedError", async () => {
    const { open } = scripted([{ target: haiku, keyId: 'k1', pieces: ['The cat '], end: 'break' }]);
    const error = await collect(continueStream(REQUEST, open, { onInterrupt: 'fail' })).catch((e) => e);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(error.partialText).toBe('The cat ');
  });

  it('ends with StreamInterruptedError carrying the whole shown text when no continuation can start', async () => {
    const exhausted = new PoolExhaustedError({
      provider: 'anthropic',
      retryAfterMs: 1000,
      keys: [],
      errors: [],
      reason: 'no_usable_key',
    });
    const { open } = scripted([
      { target: haiku, keyId: 'k1', pieces: ['The cat saw ', 'the'], end: 'break' },
      { target: haiku, keyId: 'k2', pieces: [' the cat, and'], end: 'break' },
      { target: haiku, keyId: 'k3', end: { throw: exhausted } },
    ]);
    const error = await collect(continueStream(REQUEST, open)).catch((e) => e);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(error.partialText).toBe('The cat saw the cat, and');
    expect(error.cause).toBe(exhausted);
  });

  it('gives up after maxContinuations breaks', async () => {
    const { open } = scripted([
      { target: opus, keyId: 'k1', pieces: ['The '], end: 'break' },
      { target: opus, keyId: 'k2', pieces: ['The cat '], end: 'break' },
    ]);
    const error = await collect(continueStream(REQUEST, open, { maxContinuations: 1 })).catch((e) => e);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(error.partialText).toBe('The cat ');
  });

  it('surfaces a failure before any output unchanged', async () => {
    const failure = new ProviderError({ category: 'auth', message: 'bad key', provider: 'anthropic' });
    const { open } = scripted([{ target: haiku, keyId: 'k1', end: { throw: failure } }]);
    await expect(collect(continueStream(REQUEST, open))).rejects.toBe(failure);
  });

  it('restarts after a break inside a tool call (structured output is never continued)', async () => {
    const { open, seen } = scripted([
      { target: haiku, keyId: 'k1', extra: [{ type: 'tool_call_delta' }], pieces: ['The '], end: 'break' },
      { target: haiku, keyId: 'k2', pieces: [ANSWER], end: 'done' },
    ]);
    const run = await collect(continueStream(REQUEST, open));
    expect(run.events[0]).toEqual({ type: 'tool_call_delta' });
    expect(seen[1]?.request.continueFrom).toBeUndefined();
    expect(run.result.continued[0]?.how).toBe('restart');
  });

  it('announces the restart after a break in tool-call deltas even when no text was shown (drop the call)', async () => {
    const { open } = scripted([
      { target: haiku, keyId: 'k1', extra: [{ type: 'tool_call_delta' }], end: 'break' },
      { target: haiku, keyId: 'k2', pieces: [ANSWER], end: 'done' },
    ]);
    const run = await collect(continueStream(REQUEST, open));
    expect(run.events.map((event) => event.type)).toEqual(['tool_call_delta', 'restart', 'delta', 'done']);
    expect(run.events[1]).toEqual({ type: 'restart', reason: 'network', discardedText: '' });
  });

  it('replaces the answer, announced, when a prefill continuation diverges from what was shown', async () => {
    const { open } = scripted([
      { target: haiku, keyId: 'k1', pieces: ['The cat saw ', 'the dog'], end: 'break' },
      { target: haiku, keyId: 'k2', pieces: [' a bird.'], end: 'done' },
    ]);
    const run = await collect(continueStream(REQUEST, open));
    expect(run.events).toContainEqual({
      type: 'restart',
      reason: 'continuation_diverged',
      discardedText: 'The cat saw the dog',
    });
    expect(run.screen).toBe('The cat saw the a bird.');
    expect(run.result.text).toBe(run.screen);
    expect(run.result.continued[0]).toMatchObject({ how: 'prefill', diverged: true });
  });

  it('passes an unbroken stream through with an empty continued list', async () => {
    const { open } = scripted([{ target: haiku, keyId: 'k1', pieces: ['The cat ', 'sat.'], end: 'done' }]);
    const run = await collect(continueStream(REQUEST, open));
    expect(run.result).toMatchObject({ text: 'The cat sat.', continued: [], keyId: 'k1' });
    expect(run.result.usageEstimated).toBeUndefined();
  });
});

describe('continuePoolStream', () => {
  it('opens the pool stream for the same model with the broken keys avoided and what is left of the deadline', async () => {
    let clock = 1_000;
    const calls: { request: ChatRequest; options: PoolStreamCallOptions | undefined }[] = [];
    const pool = {
      provider: 'anthropic',
      stream(
        request: ChatRequest,
        options?: PoolStreamCallOptions,
      ): AsyncIterable<UnifiedStreamEvent<ChatResult>> {
        calls.push({ request, options });
        const first = calls.length === 1;
        return (async function* () {
          yield { type: 'delta' as const, text: first ? 'The cat saw ' : ' the cat.' };
          clock += 400;
          if (first) {
            throw new StreamInterruptedError(
              { category: 'network', message: 'cut', provider: 'anthropic', keyId: 'k1' },
              'The cat saw ',
            );
          }
          yield { type: 'done' as const, result: result('k2', ' the cat.') };
        })();
      },
    };
    const run = await collect(
      continuePoolStream(
        pool,
        { ...REQUEST, model: 'claude-haiku-4-5' },
        {
          callOptions: { deadlineMs: 10_000, idleTimeoutMs: 50 },
          now: () => clock,
        },
      ),
    );
    expect(run.screen).toBe('The cat saw the cat.');
    expect(calls[0]?.options).toEqual({
      deadlineMs: 10_000,
      idleTimeoutMs: 50,
      avoidKeyIds: [],
      onFirstChunk: expect.any(Function),
      onInterrupt: 'fail',
    });
    expect(calls[1]?.options).toEqual({
      deadlineMs: 9_600,
      idleTimeoutMs: 50,
      avoidKeyIds: ['k1'],
      onFirstChunk: expect.any(Function),
      onInterrupt: 'fail',
    });
    expect(calls[1]?.request.continueFrom).toBe('The cat saw');
  });
});
