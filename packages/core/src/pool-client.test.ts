import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from './adapter';
import { ROUTED_CLIENT_API_KEY } from './client-error';
import { ProviderError, StreamInterruptedError } from './errors';
import { createKeyPool } from './key-pool';
import { createPoolClient, type RoutedStream } from './pool-client';
import { FakeAdapter } from './testing/fake-adapter';

/** A tiny SDK-shaped client: `chat.create` (plain or streaming), a helper, and a getter. */
class TinyClient {
  readonly apiKey: string;
  readonly chat: {
    create: (
      params: { prompt: string; stream?: boolean },
      options?: { signal?: AbortSignal },
    ) => Promise<unknown>;
  };
  static failures = new Map<string, string>();
  constructor(apiKey: string) {
    this.apiKey = apiKey;
    this.chat = {
      create: async (params) => {
        const failure = TinyClient.failures.get(apiKey);
        if (failure === 'rate') throw Object.assign(new Error('429'), { category: 'rate_limit' });
        if (params.stream) {
          const breakMid = failure === 'cut';
          return (async function* () {
            yield { text: `${apiKey.slice(-1)}:` };
            if (breakMid) throw Object.assign(new Error('cut'), { category: 'server' });
            yield { text: params.prompt, end: true };
          })();
        }
        return { text: `${apiKey.slice(-1)}:${params.prompt}`, usage: 7 };
      },
    };
  }
  describe(): string {
    return `TinyClient(${this.apiKey.length})`;
  }
}

function tinyAdapter(): ProviderAdapter<TinyClient> {
  const fake = new FakeAdapter();
  return {
    provider: 'tiny',
    setApiKey: () => undefined,
    createClient: (secret) => new TinyClient(secret),
    classifyError: (error) => ({
      category: ((error as { category?: string }).category as 'server') ?? 'server',
      message: (error as Error).message,
    }),
    chat: fake.chat.bind(fake) as never,
    stream: fake.stream.bind(fake) as never,
  };
}

describe('createPoolClient', () => {
  const keys = [
    { id: 'one', secret: 'sk-tiny-000000000000000001' },
    { id: 'two', secret: 'sk-tiny-000000000000000002' },
  ];
  const routes = [
    {
      path: 'chat.create',
      streams: (args: readonly unknown[]) => (args[0] as { stream?: boolean }).stream === true,
      withSignal: (args: readonly unknown[], signal: AbortSignal) => [
        args[0],
        { ...(args[1] as object), signal },
      ],
      usageOf: (result: unknown) => (result as { usage?: number }).usage,
      textOf: (chunk: unknown) => (chunk as { text: string }).text,
      isTerminal: (chunk: unknown) => (chunk as { end?: boolean }).end === true,
    },
  ];

  it('routes listed methods through the pool and passes the rest through', async () => {
    TinyClient.failures = new Map([['sk-tiny-000000000000000001', 'rate']]);
    const pool = createKeyPool({ adapter: tinyAdapter(), keys, strategy: 'round-robin', random: () => 0 });
    const client = createPoolClient(pool, new TinyClient('placeholder'), routes);
    const result = (await client.chat.create({ prompt: 'hi' })) as { text: string };
    expect(result.text).toBe('2:hi');
    expect(client.describe()).toBe('TinyClient(11)');
    expect(pool.snapshot()[0]!.status).toBe('cooling');
  });

  it('resolves a routed stream after its first chunk, failing over before it and interrupting after it', async () => {
    TinyClient.failures = new Map([
      ['sk-tiny-000000000000000001', 'rate'],
      ['sk-tiny-000000000000000002', 'cut'],
    ]);
    const pool = createKeyPool({ adapter: tinyAdapter(), keys, strategy: 'round-robin', random: () => 0 });
    const client = createPoolClient(pool, new TinyClient('placeholder'), routes);
    const stream = (await client.chat.create({ prompt: 'hi', stream: true })) as AsyncIterable<{
      text: string;
    }>;
    const texts: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) texts.push(chunk.text);
    })().catch((caught: unknown) => caught);
    expect(texts).toEqual(['2:']);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('2:');
    expect(ProviderError.isInstance(error)).toBe(true);
  });
});

describe('createPoolClient as the SDK: errors, every method, apiKey, stream shape and quiet abort', () => {
  class TinyError extends Error {}
  const keys = [
    { id: 'one', secret: 'sk-tiny-000000000000000001' },
    { id: 'two', secret: 'sk-tiny-000000000000000002' },
  ];
  const route = {
    path: 'chat.create',
    streams: (args: readonly unknown[]) => (args[0] as { stream?: boolean }).stream === true,
    withSignal: (args: readonly unknown[], signal: AbortSignal) => [
      args[0],
      { ...(args[1] as object), signal },
    ],
  };
  const options = {
    errors: {
      isSdkError: (error: unknown): error is Error => error instanceof TinyError,
      abortError: () => new TinyError('aborted'),
      timeoutError: () => new TinyError('timed out'),
      otherError: (message: string) => new TinyError(message),
    },
    lastKeyProperty: 'apiKey',
  };

  it('throws the SDK error with a keypool view, and reads the masked key of the last call as apiKey', async () => {
    TinyClient.failures = new Map([['sk-tiny-000000000000000001', 'rate']]);
    const pool = createKeyPool({
      adapter: tinyAdapter(),
      keys,
      strategy: 'round-robin',
      maxAttempts: 1,
      random: () => 0,
    });
    const client = createPoolClient(pool, new TinyClient('placeholder'), [route], options);
    expect(client.apiKey).toBe(ROUTED_CLIENT_API_KEY);
    const error = await client.chat.create({ prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TinyError);
    expect((error as { keypool: { keyId: string; exhausted: string } }).keypool).toMatchObject({
      keyId: 'one',
    });
    await client.chat.create({ prompt: 'y' });
    expect(client.apiKey).toBe(pool.snapshot()[1]?.masked);
  });

  it('routes every function under routeAll resources, and shapes streams; controller.abort() ends quietly', async () => {
    TinyClient.failures = new Map();
    const pool = createKeyPool({ adapter: tinyAdapter(), keys, strategy: 'round-robin', random: () => 0 });
    const shaped = {
      ...route,
      shapeStream: (stream: RoutedStream<unknown>) => Object.assign(stream, { shaped: true }),
    };
    const client = createPoolClient(pool, new TinyClient('placeholder'), [shaped], {
      ...options,
      routeAll: { under: ['chat'], route: { withSignal: route.withSignal } },
    });
    const stream = (await client.chat.create({ prompt: 'hi', stream: true })) as RoutedStream<{
      text: string;
    }> & {
      shaped: boolean;
    };
    expect(stream.shaped).toBe(true);
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.text);
      stream.controller.abort();
    }
    expect(seen).toHaveLength(1);
    expect(pool.snapshot().reduce((sum, key) => sum + key.counts.requests, 0)).toBe(1);
  });
});

describe('createPoolClient with an SDK promise that has withResponse()', () => {
  class ResponseClient {
    readonly chat = {
      create: (params: { prompt: string }) => {
        const response = new Response('{}', { headers: { 'x-request-id': 'req_1' } });
        const data = { text: params.prompt };
        const promise = Promise.resolve(data) as Promise<typeof data> & {
          withResponse: () => Promise<unknown>;
        };
        promise.withResponse = async () => ({ data, response, request_id: 'req_1' });
        return promise;
      },
    };
  }
  const adapter: ProviderAdapter<ResponseClient> = {
    provider: 'resp',
    setApiKey: () => undefined,
    createClient: () => new ResponseClient(),
    classifyError: () => ({ category: 'server', message: 'x' }),
    chat: async () => {
      throw new Error('unused');
    },
    // biome-ignore lint/correctness/useYield: unused
    stream: async function* () {
      throw new Error('unused');
    },
  };
  const route = { path: 'chat.create', withSignal: (args: readonly unknown[]) => [...args] };

  it('keeps withResponse() and asResponse() on routed calls, and caches its proxies', async () => {
    const pool = createKeyPool({ adapter, keys: [{ id: 'one', secret: 'sk-resp-00000000000000001' }] });
    const client = createPoolClient(pool, new ResponseClient(), [route]);
    expect(await client.chat.create({ prompt: 'plain' })).toEqual({ text: 'plain' });
    const { data, response } = await (
      client.chat.create({ prompt: 'raw' }) as unknown as {
        withResponse(): Promise<{ data: unknown; response: Response }>;
      }
    ).withResponse();
    expect(data).toEqual({ text: 'raw' });
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(client.chat).toBe(client.chat);
    expect(client.chat.create).toBe(client.chat.create);
  });
});

describe('createPoolClient: signal or SDK timeout', () => {
  it('gives the SDK its own timeout when the caller passed no signal, and the signal when it did', async () => {
    const seen: string[] = [];
    class Probe {
      readonly chat = {
        create: async (_params: unknown, options: { signal?: AbortSignal; timeout?: number }) => {
          seen.push(options.signal ? 'signal' : `timeout:${options.timeout}`);
          return { text: 'ok' };
        },
      };
    }
    const adapter: ProviderAdapter<Probe> = {
      provider: 'probe',
      setApiKey: () => undefined,
      createClient: () => new Probe(),
      classifyError: () => ({ category: 'server', message: 'x' }),
      chat: async () => {
        throw new Error('unused');
      },
      // biome-ignore lint/correctness/useYield: unused
      stream: async function* () {
        throw new Error('unused');
      },
    };
    const route = {
      path: 'chat.create',
      withSignal: (args: readonly unknown[], signal: AbortSignal) => [args[0], { signal }],
      withTimeout: (args: readonly unknown[], timeout: number) => [args[0], { timeout }],
    };
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'one', secret: 'sk-probe-0000000000000001' }],
      attemptTimeoutMs: 5_000,
    });
    const client = createPoolClient(pool, new Probe(), [route]);
    await client.chat.create({}, {});
    await client.chat.create({}, { signal: new AbortController().signal });
    expect(seen[0]).toMatch(/^timeout:(4\d{3}|5000)$/);
    expect(seen[1]).toBe('signal');
    // An SDK that honours the caller's own signal next to its timeout gets both, and never a per-attempt signal.
    const callerSignal = new AbortController().signal;
    let received: { signal?: AbortSignal; timeout?: number } = {};
    const keeping = createPoolClient(pool, new Probe(), [
      {
        ...route,
        timeoutKeepsCallerSignal: true,
        withTimeout: (args: readonly unknown[], timeout: number) => {
          received = { ...(args[1] as object), timeout };
          return [args[0], received];
        },
      },
    ]);
    await keeping.chat.create({}, { signal: callerSignal });
    expect(received.signal).toBe(callerSignal);
    expect(received.timeout).toBeGreaterThan(4_000);
  });
});

describe('createPoolClient: the caller timeout a route reads (timeoutOf)', () => {
  it("ends the call at the caller's timeout with the SDK's timeout error, even when the SDK never does", async () => {
    class Deaf {
      // An SDK whose own timer was lost: it ignores both its timeout and the signal.
      readonly chat = { create: (_params: unknown, _options?: unknown) => new Promise(() => undefined) };
    }
    class SdkTimeout extends Error {}
    const adapter: ProviderAdapter<Deaf> = {
      provider: 'deaf',
      setApiKey: () => undefined,
      createClient: () => new Deaf(),
      classifyError: () => ({ category: 'server', message: 'x' }),
      chat: async () => {
        throw new Error('unused');
      },
      // biome-ignore lint/correctness/useYield: unused
      stream: async function* () {
        throw new Error('unused');
      },
    };
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'one', secret: 'sk-deaf-00000000000000001' }],
      attemptTimeoutMs: 5_000,
    });
    const route = {
      path: 'chat.create',
      withSignal: (args: readonly unknown[], signal: AbortSignal) => [args[0], { signal }],
      timeoutOf: (args: readonly unknown[]) => (args[1] as { timeout?: number } | undefined)?.timeout,
    };
    const client = createPoolClient(pool, new Deaf(), [route], {
      errors: {
        isSdkError: (error: unknown): error is Error => error instanceof SdkTimeout,
        abortError: () => new Error('aborted'),
        timeoutError: () => new SdkTimeout('timed out'),
        otherError: (message) => new Error(message),
      },
    });
    const started = Date.now();
    const error = await client.chat.create({}, { timeout: 80 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SdkTimeout);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A longer caller timeout does not lift the pool's shorter attempt timeout.
    const capped = createKeyPool({
      adapter,
      keys: [{ id: 'one', secret: 'sk-deaf-00000000000000001' }],
      attemptTimeoutMs: 60,
    });
    const begun = Date.now();
    const capError = await createPoolClient(capped, new Deaf(), [route], {})
      .chat.create({}, { timeout: 60_000 })
      .catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(capError) && capError.category).toBe('timeout');
    expect(Date.now() - begun).toBeLessThan(2_000);
  });
});
