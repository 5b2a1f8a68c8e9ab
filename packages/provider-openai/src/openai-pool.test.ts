import {
  fingerprintSecret,
  KeypoolError,
  PoolExhaustedError,
  ProviderError,
  StreamInterruptedError,
} from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool, type OpenAIPool, type OpenAIPoolOptions } from './openai-pool';

let emulator: Emulator;
let serial = 0;

beforeAll(async () => {
  emulator = await startEmulator({
    windowMs: 1000,
    logRawKeys: true,
    models: {
      'gpt-overloaded-once': { outage: { downMs: 0 } },
      'gpt-server-once': { serverErrorOnce: true },
      'gpt-cut': { streamCutAfterChunks: 2 },
      'gpt-stall': { streamStallAfterChunks: 2 },
      'gpt-missing': { notFound: true },
      'gpt-slow': { firstTokenDelayMs: 3_000 },
    },
  });
});
afterAll(() => emulator.close());

/** A fresh key registered on the emulator with the given behaviour. */
function key(label: string, behaviour: Parameters<Emulator['addKey']>[1] = {}): string {
  serial += 1;
  const secret = `sk-test-${label}-${String(serial).padStart(4, '0')}-${'x'.repeat(12)}`;
  emulator.addKey(secret, behaviour);
  return secret;
}

function pool(secrets: readonly string[], options: Partial<OpenAIPoolOptions> = {}): OpenAIPool {
  return createOpenAIPool({
    keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    windowMs: 1000,
    clientOptions: { baseURL: emulator.baseURLs.openai },
    ...options,
  });
}

const messages = [{ role: 'user' as const, content: 'hello from the pool' }];

/** Attempts as the engine recorded them (key id per attempt), to compare with what reached the emulator. */
function recordAttempts(target: OpenAIPool): string[] {
  const attempts: string[] = [];
  target.on('key.selected', (event) => attempts.push(event.keyId));
  return attempts;
}

function countBy<T>(items: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Every upstream request carried the key the engine picked for that attempt (compared per key, by fingerprint). */
function expectLogMatches(secrets: readonly string[], attempts: readonly string[], afterSeq = 0): void {
  const fingerprints = new Set(secrets.map(fingerprintSecret));
  const upstream = emulator.requests.filter(
    (entry) => entry.seq > afterSeq && fingerprints.has(entry.keyFingerprint ?? ''),
  );
  const expected = countBy(attempts.map((id) => fingerprintSecret(secrets[Number(id.slice(4)) - 1]!)));
  expect(countBy(upstream.map((entry) => entry.keyFingerprint))).toEqual(expected);
}

describe('createOpenAIPool: failover over bad keys', () => {
  it('serves every call with one invalid, one rate-limited and one healthy key', async () => {
    const invalid = key('invalid', { invalid: true });
    const limited = key('limited', { rpm: 1 });
    const healthy = key('healthy');
    const direct = pool([limited]);
    await direct.client.chat.completions.create({ model: 'gpt-4o', messages }); // spends the limited key's minute
    const afterSeq = emulator.requests.at(-1)?.seq ?? 0;

    const retryAfter: number[] = [];
    let hitAt = 0;
    const secrets = [invalid, limited, healthy];
    const target = pool(secrets, {
      strategy: 'round-robin',
      cooldown: { baseMs: 10, jitter: 0 },
      clientOptions: {
        baseURL: emulator.baseURLs.openai,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const hint = response.headers.get('retry-after-ms');
          if (response.status === 429 && hint) {
            retryAfter.push(Number(hint));
            hitAt = Date.now();
          }
          return response;
        },
      },
    });
    const attempts = recordAttempts(target);
    const cooldowns: { keyId: string; durationMs: number }[] = [];
    target.on('key.cooldown', (event) => cooldowns.push(event));

    const first = await target.client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(first.choices[0]?.message.content).toBe('Echo: hello from the pool');
    const snapshot = target.snapshot();
    expect(snapshot[0]).toMatchObject({ status: 'disabled', category: 'auth' });
    expect(retryAfter).toHaveLength(1);
    expect(cooldowns).toEqual([expect.objectContaining({ keyId: 'key-2', durationMs: retryAfter[0] })]);
    // The key cools exactly for the emulator's hint, counted from when the 429 arrived.
    expect(Math.abs(snapshot[1]!.cooldownUntil! - (hitAt + retryAfter[0]!))).toBeLessThan(50);

    for (let call = 0; call < 9; call++) {
      const completion = await target.client.chat.completions.create({ model: 'gpt-4o', messages });
      expect(completion.choices[0]?.message.content).toBe('Echo: hello from the pool');
    }
    expect(emulator.requestsFor(invalid)).toHaveLength(1);
    expect(emulator.requestsFor(invalid)[0]?.status).toBe(401);
    expect(
      emulator.requestsFor(limited).filter((entry) => entry.status === 429).length,
    ).toBeGreaterThanOrEqual(1);
    expect(target.snapshot().reduce((sum, entry) => sum + entry.counts.successes, 0)).toBe(10);
    expectLogMatches(secrets, attempts, afterSeq);
  });

  it('sees no upstream 429 in a 100-call burst, 16 in flight, when the pool knows the keys limits', async () => {
    const secrets = [key('burst', { rpm: 40 }), key('burst', { rpm: 40 }), key('burst', { rpm: 40 })];
    const target = createOpenAIPool({
      keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret, limits: { rpm: 40 } })),
      windowMs: 1000,
      maxWaitMs: 2000,
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    const attempts = recordAttempts(target);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 100) {
        next += 1;
        await target.client.chat.completions.create({ model: 'gpt-4o', messages });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const upstream = secrets.flatMap((secret) => emulator.requestsFor(secret));
    expect(upstream).toHaveLength(100);
    expect(upstream.filter((entry) => entry.status === 429)).toEqual([]);
    expect(attempts).toHaveLength(100);
    expectLogMatches(secrets, attempts);
  });

  it('fails over on a model error before the call returns, and tells model-not-found apart', async () => {
    const target = pool([key('model'), key('model')]);
    const answer = await target.client.chat.completions.create({ model: 'gpt-server-once', messages });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    const error = await target.client.chat.completions
      .create({ model: 'gpt-missing', messages })
      .catch((caught: unknown) => caught);
    // pool.client throws the SDK's own error, with Keypool's view attached.
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const view = (error as { keypool: { category: string; error: unknown } }).keypool;
    expect(view.category).toBe('invalid_request');
    expect(ProviderError.isInstance(view.error) && view.error.modelNotFound).toBe(true);
  });
});

describe('createOpenAIPool: streaming', () => {
  it('streams through pool.client (native form), failing over from a rate-limited key before the first chunk', async () => {
    const limited = key('stream-limited', { rpm: 1 });
    await pool([limited]).client.chat.completions.create({ model: 'gpt-4o', messages });
    const healthy = key('stream-healthy');
    const target = pool([limited, healthy], { strategy: 'round-robin' });
    const stream = await target.client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toBe('Echo: hello from the pool');
    expect(usage).toBeGreaterThan(0);
    expect(emulator.requestsFor(limited).at(-1)?.status).toBe(429);
    expect(emulator.requestsFor(healthy)).toHaveLength(1);
    expect(target.snapshot()[1]?.counts.successes).toBe(1);
  });

  it('streams through pool.stream(), retrying a 500 before the first chunk', async () => {
    const target = pool([key('unified')], { retryBaseMs: 10 });
    emulator.setModelBehaviour('gpt-server-once', { serverErrorOnce: true });
    const deltas: string[] = [];
    let done: unknown;
    for await (const event of target.stream({ model: 'gpt-server-once', messages: [...messages] })) {
      if (event.type === 'delta') deltas.push(event.text);
      else if (event.type === 'done') done = event.result;
    }
    expect(deltas.join('')).toBe('Echo: hello from the pool');
    expect(done).toMatchObject({ text: 'Echo: hello from the pool', finishReason: 'stop', keyId: 'key-1' });
  });

  it('raises StreamInterruptedError with the partial text when a stream is cut after its first chunk', async () => {
    const target = pool([key('cut'), key('cut')]);
    const received: string[] = [];
    const unified = await (async () => {
      for await (const event of target.stream(
        { model: 'gpt-cut', messages: [...messages] },
        { onInterrupt: 'fail' },
      ))
        if (event.type === 'delta') received.push(event.text);
    })().catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(unified)).toBe(true);
    const interrupted = unified as StreamInterruptedError;
    expect(interrupted.partialText).toBe(received.join(''));
    expect(interrupted.partialText.length).toBeGreaterThan(0);
    expect(interrupted.interruptedBy).toBe('network');

    // pool.client's stream is the SDK's own: a cut after the first chunk fails as the raw SDK's does, never quietly.
    const read = async (client: OpenAI) => {
      let text = '';
      const error = await (async () => {
        const stream = await client.chat.completions.create({ model: 'gpt-cut', messages, stream: true });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().catch((caught: unknown) => caught);
      return { text, error };
    };
    const pooled = await read(target.client);
    const raw = await read(
      new OpenAI({ apiKey: key('cut-raw'), baseURL: emulator.baseURLs.openai, maxRetries: 0 }),
    );
    expect(pooled.text.length).toBeGreaterThan(0);
    expect(pooled.text).toBe(raw.text);
    expect(pooled.error).toBeInstanceOf(Error);
    expect((pooled.error as Error).constructor).toBe((raw.error as Error).constructor);
  });

  it('fails a pool.client stream that stalls after its first chunk with the SDK timeout error (idle timeout)', async () => {
    const target = pool([key('stall')], { streamIdleTimeoutMs: 150 });
    const error = await (async () => {
      const stream = await target.client.chat.completions.create({
        model: 'gpt-stall',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});

describe('createOpenAIPool: secrets and aborts', () => {
  it('never shows a secret in thrown errors or events', async () => {
    const canary = `sk-canary-${'q'.repeat(24)}-LEAK`;
    emulator.addKey(canary, { invalid: true });
    const events: unknown[] = [];
    const target = pool([canary, key('canary-healthy')], { strategy: 'round-robin' });
    target.onAny((event) => events.push(event));
    await target.client.chat.completions.create({ model: 'gpt-4o', messages });

    const alone = pool([canary]);
    alone.onAny((event) => events.push(event));
    const errors: unknown[] = [];
    errors.push(
      await alone.client.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e),
    );
    errors.push(await alone.chat({ model: 'gpt-4o', messages: [...messages] }).catch((e: unknown) => e));
    const fresh = pool([canary]);
    fresh.onAny((event) => events.push(event));
    errors.push(await fresh.chat({ model: 'gpt-4o', messages: [...messages] }).catch((e: unknown) => e));

    // pool.client: the SDK's own error, enriched; the unified API: Keypool's typed errors.
    expect(errors[0]).toBeInstanceOf(OpenAI.AuthenticationError);
    const view = (errors[0] as { keypool: { exhausted: string; error: unknown } }).keypool;
    expect(PoolExhaustedError.isInstance(view.error)).toBe(true);
    expect(JSON.stringify(view)).not.toContain(canary);
    expect(
      [...((errors[0] as InstanceType<typeof OpenAI.APIError>).headers?.values() ?? [])].join(),
    ).not.toContain(canary);
    expect(errors.slice(1).every((error) => KeypoolError.isInstance(error))).toBe(true);
    for (const error of errors) {
      let current: unknown = error;
      while (current instanceof Error) {
        expect(current.message).not.toContain(canary);
        expect(JSON.stringify(current)).not.toContain(canary);
        current = current.cause;
      }
    }
    expect(JSON.stringify(events)).not.toContain(canary);
    expect(JSON.stringify([target.snapshot(), target.toJSON(), alone.snapshot()])).not.toContain(canary);
  });

  it('stops at once on the caller abort signal passed in the request options', async () => {
    const target = pool([key('abort')]);
    const controller = new AbortController();
    controller.abort();
    const error = await target.client.chat.completions
      .create({ model: 'gpt-4o', messages }, { signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect((error as { keypool: { category: string } }).keypool.category).toBe('aborted');
  });

  it('sends every other method through the pool too, on a real key, never a placeholder', async () => {
    const bad = key('models-bad', { invalid: true });
    const secret = key('models');
    const target = pool([bad, secret], { strategy: 'round-robin' });
    const ids: string[] = [];
    for await (const model of target.client.models.list()) ids.push(model.id);
    expect(ids).toContain('gpt-slow');
    expect(emulator.requestsFor(bad).map((entry) => entry.status)).toEqual([401]);
    expect(emulator.requestsFor(secret).map((entry) => entry.path)).toEqual(['/openai/v1/models']);
    expect(target.client.apiKey).toBe(emulator.requestsFor(secret)[0]?.keyMasked);
    expect(typeof target.client.baseURL).toBe('string');
  });
});

describe('a routed call without a caller signal', () => {
  it('still times out at the attempt timeout (the SDK gets its own timeout instead of a signal)', async () => {
    const secret = key('slow');
    const slow = pool([secret], { attemptTimeoutMs: 300, maxAttempts: 1 });
    const started = Date.now();
    const error = await slow.client.chat.completions
      .create({ model: 'gpt-slow', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect((error as { keypool: { category: string } }).keypool.category).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(emulator.requestsFor(secret)).toHaveLength(1);
  });
});
