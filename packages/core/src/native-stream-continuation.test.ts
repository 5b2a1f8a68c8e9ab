import { describe, expect, it } from 'vitest';
import { ContinuationCapabilities } from './continuation-capabilities';
import type { PoolEventFields, PoolEventName } from './events';
import {
  continueNativeStream,
  NativeStreamBreak,
  type NativeStreamDialect,
  type OpenedNativeStream,
} from './native-stream-continuation';
import type { NativeStreamRestart } from './native-stream-restart';
import type { PoolStreamContext } from './pool-stream';

/** A chunk of a fake SDK stream: text, a tool-call piece, or the end. */
interface Chunk {
  id: string;
  text?: string;
  tool?: string;
  end?: boolean;
  keypool?: { restart: NativeStreamRestart };
}

const dialect: NativeStreamDialect<Chunk> = {
  textOf: (chunk) => chunk.text,
  withText: (chunk, text) => ({ ...chunk, text }),
  isStructured: (chunk) => chunk.tool !== undefined,
  isTerminal: (chunk) => chunk.end === true,
  align: (chunk, first) => ({ ...chunk, id: first.id }),
  markRestart: (chunk, restart) => ({ ...chunk, keypool: { restart } }),
};

/** A stream of `chunks` that breaks after them unless the last one ends it. */
function opened(
  keyId: string,
  id: string,
  pieces: readonly (Partial<Chunk> & object)[],
): OpenedNativeStream<Chunk> {
  async function* events(): AsyncGenerator<Chunk, void, undefined> {
    for (const piece of pieces) yield { id, ...piece };
    if (!pieces.at(-1)?.end) throw new Error('socket hang up');
  }
  return { events: events(), keyId };
}

function setup(reopens: OpenedNativeStream<Chunk>[], mode: 'continue' | 'restart' = 'continue') {
  const emitted: { name: PoolEventName; fields: unknown }[] = [];
  const asked: { prefill: string | undefined; avoidKeyIds: readonly string[] }[] = [];
  const context = {
    emit: <K extends PoolEventName>(name: K, fields: PoolEventFields[K]) => emitted.push({ name, fields }),
    scrub: (text: string) => text,
    capabilities: new ContinuationCapabilities([{ provider: 'fake', model: '*', method: 'restart' }]),
    continuation: { maxContinuations: 2 },
  } as unknown as PoolStreamContext;
  return {
    emitted,
    asked,
    setup: {
      dialect,
      mode,
      target: { provider: 'fake' as const, model: 'm' },
      hasTools: false,
      context,
      reopen: async (how: { prefill: string | undefined; avoidKeyIds: readonly string[] }) => {
        asked.push(how);
        const next = reopens.shift();
        if (!next) throw new Error('no key left');
        return next;
      },
      toBreak: (error: unknown) => new NativeStreamBreak('network', (error as Error).message),
    },
  };
}

async function read(stream: AsyncIterable<Chunk>) {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('continueNativeStream', () => {
  it('asked again, a continuation that repeats what was shown passes on only the new text, under the first id', async () => {
    const run = setup([opened('k2', 'b', [{ text: 'Once up' }, { text: 'on a time.' }, { end: true }])]);
    const chunks = await read(
      continueNativeStream(opened('k1', 'a', [{ text: 'Once' }, { text: ' upon' }]), run.setup),
    );
    expect(chunks.map((chunk) => chunk.text ?? '').join('')).toBe('Once upon a time.');
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['a']));
    expect(chunks.some((chunk) => chunk.keypool)).toBe(false);
    expect(run.asked).toEqual([{ prefill: undefined, avoidKeyIds: ['k1'] }]);
    expect(run.emitted.map((event) => event.name)).toEqual(['stream.interrupted', 'stream.continued']);
    expect(run.emitted[1]?.fields).toMatchObject({
      chars: 9,
      how: 'restart',
      fromKeyId: 'k1',
      toKeyId: 'k2',
    });
  });

  it('a continuation that diverges from what was shown restarts the answer, marked on its first chunk', async () => {
    const run = setup([opened('k2', 'b', [{ text: 'Once there' }, { text: ' was a cat.' }, { end: true }])]);
    const chunks = await read(
      continueNativeStream(opened('k1', 'a', [{ text: 'Once' }, { text: ' upon' }]), run.setup),
    );
    const at = chunks.findIndex((chunk) => chunk.keypool);
    expect(chunks[at]?.keypool?.restart).toEqual({
      reason: 'continuation_diverged',
      discardedText: 'Once upon',
    });
    expect(
      chunks
        .slice(at)
        .map((chunk) => chunk.text ?? '')
        .join(''),
    ).toBe('Once there was a cat.');
    expect(run.emitted.map((event) => event.name)).toContain('stream.restarted');
  });

  it('a break after a tool call restarts, announced, without holding anything back', async () => {
    const run = setup([opened('k2', 'b', [{ tool: '{"city":' }, { tool: '"Oslo"}' }, { end: true }])]);
    const chunks = await read(
      continueNativeStream(opened('k1', 'a', [{ text: 'Let me look.' }, { tool: '{"ci' }]), run.setup),
    );
    const at = chunks.findIndex((chunk) => chunk.keypool);
    expect(at).toBe(2);
    expect(chunks[at]).toMatchObject({
      tool: '{"city":',
      keypool: { restart: { discardedText: 'Let me look.' } },
    });
  });

  it("with 'restart' the new answer restarts even when it would reproduce what was shown", async () => {
    const run = setup([opened('k2', 'b', [{ text: 'Once upon a time.' }, { end: true }])], 'restart');
    const chunks = await read(continueNativeStream(opened('k1', 'a', [{ text: 'Once' }]), run.setup));
    expect(chunks[1]).toMatchObject({
      text: 'Once upon a time.',
      keypool: { restart: { discardedText: 'Once' } },
    });
  });

  it('ends with the original error when no continuation can start, or after maxContinuations breaks', async () => {
    const none = setup([]);
    await expect(
      read(continueNativeStream(opened('k1', 'a', [{ text: 'Once' }]), none.setup)),
    ).rejects.toThrow('socket hang up');
    const breaking = setup([
      opened('k2', 'b', [{ text: 'Once up' }]),
      opened('k1', 'c', [{ text: 'Once upon' }]),
    ]);
    const shown: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of continueNativeStream(opened('k1', 'a', [{ text: 'Once' }]), breaking.setup))
          shown.push(chunk.text ?? '');
      })(),
    ).rejects.toThrow('socket hang up');
    expect(shown.join('')).toBe('Once upon');
    expect(breaking.asked).toHaveLength(2);
  });
});
