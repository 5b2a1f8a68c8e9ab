import Anthropic, { AnthropicError, APIUserAbortError } from '@anthropic-ai/sdk';
import {
  fingerprintSecret,
  KeypoolError,
  type PoolEvent,
  PoolExhaustedError,
  StreamInterruptedError,
} from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANTHROPIC_PLACEHOLDER_KEY, createAnthropicPool } from './anthropic-pool.ts';

const WINDOW_MS = 1000;
const INVALID = 'sk-ant-pool-invalid-111111111111';
const LIMITED = 'sk-ant-pool-limited-222222222222';
const HEALTHY = 'sk-ant-pool-healthy-333333333333';
const BURST = [
  'sk-ant-burst-aaaaaaaaaaaaaaaa',
  'sk-ant-burst-bbbbbbbbbbbbbbbb',
  'sk-ant-burst-cccccccccccccccc',
];
const CANARY = 'sk-ant-api03-CANARYpool0123456789abcdef';
const MODEL = 'claude-emulated-1';
const OVERLOADED = 'claude-overloaded';
const SERVER_ONCE = 'claude-server-error-once';
const BROKEN = 'claude-server-error';
const CUT = 'claude-stream-cut';
const MID_ERROR = 'claude-mid-stream-error';
const NO_STOP = 'claude-no-terminator';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    windowMs: WINDOW_MS,
    logRawKeys: true,
    keys: {
      [INVALID]: { invalid: true },
      [LIMITED]: { rpm: 1 },
      [HEALTHY]: {},
      [CANARY]: { invalid: true },
      ...Object.fromEntries(BURST.map((key) => [key, { rpm: 40 }])),
    },
    models: {
      [OVERLOADED]: { overloaded: true },
      [SERVER_ONCE]: { serverErrorOnce: true },
      [BROKEN]: { serverError: true },
      [CUT]: { streamCutAfterChunks: 2 },
      [MID_ERROR]: { midStreamError: true },
      [NO_STOP]: { noTerminator: true },
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const ask = (content: string, model = MODEL) => ({
  model,
  max_tokens: 64,
  messages: [{ role: 'user' as const, content }],
});

/** Spends the limited key's one request of the current window, directly (not through the pool). */
async function spendLimitedKey(): Promise<void> {
  const response = await fetch(`${emu.baseURLs.anthropic}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${LIMITED}`, 'content-type': 'application/json' },
    body: JSON.stringify(ask('spend')),
  });
  expect(response.status).toBe(200);
}

/** The raw SDK on one key, retries off: what pool.client must behave like. */
const rawClient = (secret: string) =>
  new Anthropic({ apiKey: secret, baseURL: emu.baseURLs.anthropic, maxRetries: 0 });

/** Keypool's view on an SDK error thrown by pool.client. */
const viewOf = (error: unknown) =>
  (error as { keypool: { category: string; exhausted?: string; error: unknown; attempts: unknown[] } })
    .keypool;

function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

function recordEvents(pool: { onAny(listener: (event: PoolEvent) => void): () => void }) {
  const events: PoolEvent[] = [];
  pool.onAny((event) => events.push(event));
  return events;
}

describe('createAnthropicPool: failover', () => {
  it('serves every call over an invalid, a rate-limited and a healthy key', async () => {
    await spendLimitedKey();
    const retryAfters: number[] = [];
    const pool = createAnthropicPool({
      keys: [
        { id: 'invalid', secret: INVALID },
        { id: 'limited', secret: LIMITED },
        { id: 'healthy', secret: HEALTHY },
      ],
      strategy: 'round-robin',
      // A short first backoff step, so that the cooldown is the emulator's hint (a minimum) rather than the step.
      cooldown: { baseMs: 10 },
      clientOptions: {
        baseURL: emu.baseURLs.anthropic,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const hint = response.headers.get('retry-after-ms');
          if (response.status === 429 && hint) retryAfters.push(Number(hint));
          return response;
        },
      },
    });
    const cooldowns: { keyId: string; until: number; durationMs: number }[] = [];
    pool.on('key.cooldown', (event) => cooldowns.push(event));
    const disabled: string[] = [];
    pool.on('key.disabled', (event) => disabled.push(event.keyId));

    for (let index = 0; index < 10; index++) {
      const message = await pool.client.messages.create(ask(`call ${index}`));
      expect(textOf(message)).toBe(`Echo: call ${index}`);
    }

    // The invalid key was tried exactly once upstream, then disabled.
    expect(emu.requestsFor(INVALID)).toHaveLength(1);
    expect(disabled).toEqual(['invalid']);
    const snapshot = pool.snapshot();
    expect(snapshot.find((key) => key.id === 'invalid')?.status).toBe('disabled');

    // The limited key cooled for the wait the emulator asked for (its retry-after-ms).
    const limitedLog = emu.requestsFor(LIMITED).slice(1); // the first entry is spendLimitedKey()
    expect(limitedLog[0]?.status).toBe(429);
    expect(retryAfters.length).toBeGreaterThanOrEqual(1);
    const cooldown = cooldowns.find((event) => event.keyId === 'limited');
    expect(cooldown).toBeDefined();
    expect(cooldown?.durationMs).toBeGreaterThanOrEqual(retryAfters[0]!);
    expect(cooldown?.durationMs).toBeLessThanOrEqual(retryAfters[0]! + 50);
    const limited = snapshot.find((key) => key.id === 'limited');
    if (limited?.status === 'cooling') expect(limited.cooldownUntil).toBe(cooldown?.until);

    // Every other call went to the healthy key; nothing was sent with the placeholder key.
    expect(emu.requestsFor(HEALTHY).filter((entry) => entry.status === 200)).toHaveLength(
      10 - limitedLog.filter((entry) => entry.status === 200).length,
    );
    expect(emu.requestsFor(ANTHROPIC_PLACEHOLDER_KEY)).toHaveLength(0);
    await pool.close();
  });

  it('sends every attempt with the key the engine recorded for it', async () => {
    await spendLimitedKey();
    const pool = createAnthropicPool({
      keys: [
        { id: 'invalid', secret: INVALID },
        { id: 'limited', secret: LIMITED },
        { id: 'healthy', secret: HEALTHY },
      ],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });
    const fingerprints = new Map(pool.snapshot().map((key) => [key.id, key.fingerprint]));
    const selected: string[] = [];
    const outcomes: { keyId: string; ok: boolean }[] = [];
    pool.on('key.selected', (event) => selected.push(event.keyId));
    pool.on('request.success', (event) => outcomes.push({ keyId: event.keyId, ok: true }));
    pool.on('request.failure', (event) => outcomes.push({ keyId: event.keyId, ok: false }));
    await Promise.all(Array.from({ length: 8 }, (_, index) => pool.client.messages.create(ask(`c${index}`))));

    expect(selected).toHaveLength(emu.requests.length - 1);
    const upstream = emu.requests.slice(1); // the first entry is spendLimitedKey()
    const count = (list: string[]) =>
      list.reduce((map, value) => map.set(value, (map.get(value) ?? 0) + 1), new Map<string, number>());
    expect(count(upstream.map((entry) => entry.keyFingerprint ?? ''))).toEqual(
      count(selected.map((id) => fingerprints.get(id) ?? '')),
    );
    // Success and failure per key agree with what the emulator answered to that key.
    for (const [id, fingerprint] of fingerprints) {
      const answered = upstream.filter((entry) => entry.keyFingerprint === fingerprint);
      const recorded = outcomes.filter((outcome) => outcome.keyId === id);
      expect(recorded.filter((outcome) => outcome.ok)).toHaveLength(
        answered.filter((entry) => entry.status === 200).length,
      );
      expect(recorded.filter((outcome) => !outcome.ok)).toHaveLength(
        answered.filter((entry) => entry.status !== 200).length,
      );
    }
    expect(fingerprints.get('healthy')).toBe(fingerprintSecret(HEALTHY));
    await pool.close();
  });

  it('forces the SDK retries off even when a call asks for some', async () => {
    const pool = createAnthropicPool({
      keys: [{ id: 'healthy', secret: HEALTHY }],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
      retryBaseMs: 1,
    });
    const error = await pool.client.messages
      .create(ask('x', BROKEN), { maxRetries: 5 })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(viewOf(error).category).toBe('server');
    // One attempt and the engine's one retry for `server`; none from the SDK.
    expect(emu.requestsFor(HEALTHY)).toHaveLength(2);
    await pool.close();
  });

  it('retries an overloaded model once, then fails with the overloaded category', async () => {
    const pool = createAnthropicPool({
      keys: [
        { id: 'a', secret: HEALTHY },
        { id: 'b', secret: BURST[0]! },
      ],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
      retryBaseMs: 1,
    });
    const error = await pool.client.messages.create(ask('x', OVERLOADED)).catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect(viewOf(error).category).toBe('overloaded');
    expect(viewOf(error).attempts).toHaveLength(2);
    expect(emu.requests).toHaveLength(2);
    expect(pool.snapshot().every((key) => key.status === 'active')).toBe(true);
    await pool.close();
  });

  it('throws the last upstream SDK error, with the exhausted pool in its keypool view, when every key is refused', async () => {
    const pool = createAnthropicPool({
      keys: [{ id: 'invalid', secret: INVALID }],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });
    const error = await pool.client.messages.create(ask('x')).catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(viewOf(error).category).toBe('auth');
    expect(PoolExhaustedError.isInstance(viewOf(error).error)).toBe(true);
    expect(viewOf(error).exhausted).toBeDefined();
    await pool.close();
  });
});

describe('createAnthropicPool: proactive limits', () => {
  it('sends a 100-call burst, 16 in flight over 3 keys at rpm 40, without one upstream 429', async () => {
    const pool = createAnthropicPool({
      keys: BURST.map((secret, index) => ({ id: `k${index}`, secret, limits: { rpm: 40 } })),
      windowMs: WINDOW_MS,
      maxWaitMs: 2 * WINDOW_MS,
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });
    let next = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      while (next < 100) {
        const index = next++;
        await pool.client.messages.create(ask(`burst ${index}`)).catch((error) => failures.push(error));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(failures).toEqual([]);
    expect(emu.requests).toHaveLength(100);
    expect(emu.requests.filter((entry) => entry.status === 429)).toHaveLength(0);
    expect(pool.snapshot().reduce((sum, key) => sum + key.counts.successes, 0)).toBe(100);
    await pool.close();
  });

  it('learns each key remaining capacity from the anthropic-ratelimit headers', async () => {
    const pool = createAnthropicPool({
      keys: [{ id: 'k0', secret: BURST[0]! }],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });
    const learned: unknown[] = [];
    pool.on('limits.learned', (event) => learned.push(event.requestsRemaining));
    await pool.client.messages.create(ask('one'));
    await pool.chat({ model: MODEL, messages: [{ role: 'user', content: 'two' }] });
    expect(learned).toEqual([39, 38]);
    expect(pool.snapshot()[0]?.learned?.requests).toMatchObject({ limit: 40, remaining: 38 });
    await pool.close();
  });
});

describe('createAnthropicPool: streaming', () => {
  const streamingPool = (keys: { id: string; secret: string }[]) =>
    createAnthropicPool({
      keys,
      strategy: 'round-robin',
      retryBaseMs: 1,
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });

  it('streams through pool.client (messages.create with stream: true), failing over a rate-limited key', async () => {
    await spendLimitedKey();
    const pool = streamingPool([
      { id: 'limited', secret: LIMITED },
      { id: 'healthy', secret: HEALTHY },
    ]);
    const stream = await pool.client.messages.create({ ...ask('stream me please'), stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Echo: stream me please');
    expect(types.at(-1)).toBe('message_stop');
    expect(emu.requestsFor(LIMITED).map((entry) => entry.status)).toEqual([200, 429]);
    expect(emu.requestsFor(HEALTHY).map((entry) => entry.status)).toEqual([200]);
    expect(pool.snapshot().find((key) => key.id === 'limited')?.status).toBe('cooling');
    await pool.close();
  });

  it('retries a stream whose model failed before the first event', async () => {
    const pool = streamingPool([{ id: 'healthy', secret: HEALTHY }]);
    emu.setModelBehaviour(SERVER_ONCE, { serverErrorOnce: true });
    const stream = await pool.client.messages.create({ ...ask('again', SERVER_ONCE), stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events.at(-1)?.type).toBe('message_stop');
    expect(emu.requests.map((entry) => entry.status)).toEqual([500, 200]);
    await pool.close();
  });

  it('ends a stream that breaks after its first event, or has a mid-stream error event, exactly as the SDK does', async () => {
    const pool = streamingPool([{ id: 'healthy', secret: HEALTHY }]);
    const read = async (client: Anthropic, model: string) => {
      let text = '';
      const types: string[] = [];
      const error = await (async () => {
        const stream = await client.messages.create({
          ...ask('one two three four five six', model),
          stream: true,
        });
        for await (const event of stream) {
          types.push(event.type);
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            text += event.delta.text;
        }
      })().catch((caught: unknown) => caught);
      return { text, types, error };
    };
    for (const model of [CUT, MID_ERROR, NO_STOP]) {
      const pooled = await read(pool.client, model);
      const raw = await read(rawClient(HEALTHY), model);
      expect(pooled.text).toBe(raw.text);
      expect(pooled.types).toEqual(raw.types);
      expect(pooled.error?.constructor).toBe(raw.error?.constructor);
      if (model !== NO_STOP) expect(pooled.error).toBeInstanceOf(Error);
    }
    await pool.close();
  });

  it('streams through pool.stream(), failing over before the first chunk and interrupting after', async () => {
    await spendLimitedKey();
    const pool = streamingPool([
      { id: 'limited', secret: LIMITED },
      { id: 'healthy', secret: HEALTHY },
    ]);
    let text = '';
    let done: unknown;
    for await (const event of pool.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'unified stream' }],
    })) {
      if (event.type === 'delta') text += event.text;
      else if (event.type === 'done') done = event.result;
    }
    expect(text).toBe('Echo: unified stream');
    expect(done).toMatchObject({ text, keyId: 'healthy', provider: 'anthropic', finishReason: 'stop' });

    const partial: string[] = [];
    const error = await (async () => {
      // The engine's own interruption (continuation is off here; it has its own conformance suite).
      for await (const event of pool.stream(
        { model: CUT, messages: [{ role: 'user', content: 'one two three four five six' }] },
        { onInterrupt: 'fail' },
      ))
        if (event.type === 'delta') partial.push(event.text);
    })().catch((caught) => caught);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe(partial.join(''));
    await pool.close();
  });

  it('routes messages.stream(): a MessageStream that fails over, then finalMessage()', async () => {
    await spendLimitedKey();
    const pool = streamingPool([
      { id: 'limited', secret: LIMITED },
      { id: 'healthy', secret: HEALTHY },
    ]);
    const stream = pool.client.messages.stream(ask('message stream'));
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();
    expect(textOf(message)).toBe('Echo: message stream');
    expect(texts.join('')).toBe('Echo: message stream');
    const { response, request_id } = await stream.withResponse();
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    expect(emu.requestsFor(LIMITED).map((entry) => entry.status)).toEqual([200, 429]);
    expect(emu.requestsFor(HEALTHY).map((entry) => entry.status)).toEqual([200]);

    // A stream cut after its first event fails the MessageStream as it does on the raw SDK.
    const broken = pool.client.messages.stream(ask('one two three four five six', CUT));
    const error = await broken.finalMessage().catch((caught) => caught);
    const rawError = await rawClient(HEALTHY)
      .messages.stream(ask('one two three four five six', CUT))
      .finalMessage()
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(AnthropicError);
    expect((error as Error).constructor).toBe((rawError as Error).constructor);
    expect(broken.errored).toBe(true);
    await pool.close();
  });

  it('routes beta.messages.stream() and aborts a MessageStream from the caller', async () => {
    const pool = streamingPool([{ id: 'healthy', secret: HEALTHY }]);
    const message = await pool.client.beta.messages.stream(ask('beta stream')).finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Echo: beta stream' });

    const controller = new AbortController();
    controller.abort();
    const aborted = pool.client.messages.stream(ask('never'), { signal: controller.signal });
    const error = await aborted.finalMessage().catch((caught) => caught);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(aborted.aborted).toBe(true);
    expect(emu.requests).toHaveLength(1);
    await pool.close();
  });
});

describe('createAnthropicPool: secrets', () => {
  it('never shows a secret in a thrown error, its JSON, or an event', async () => {
    const pool = createAnthropicPool({
      keys: [{ id: 'canary', secret: CANARY }],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });
    const events = recordEvents(pool);
    const errors: unknown[] = [];
    await pool.client.messages.create(ask('x')).catch((error) => errors.push(error));
    await pool
      .chat({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((error) => errors.push(error));
    await (async () => {
      for await (const _event of pool.stream({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }));
    })().catch((error) => errors.push(error));
    expect(errors).toHaveLength(3);
    // pool.client throws the SDK's error (scrubbed, headers too); the unified API throws Keypool's.
    const native = errors[0] as InstanceType<typeof Anthropic.APIError>;
    expect(native).toBeInstanceOf(Anthropic.AuthenticationError);
    const nativeShown = `${native.message} ${JSON.stringify(native.error)} ${[...(native.headers?.values() ?? [])].join()} ${JSON.stringify(viewOf(native))}`;
    expect(nativeShown).not.toContain(CANARY);
    for (const error of errors.slice(1)) {
      expect(KeypoolError.isInstance(error)).toBe(true);
      const shown = `${String(error)} ${(error as Error).message} ${JSON.stringify(error)}`;
      expect(shown).not.toContain(CANARY);
      const cause = (error as PoolExhaustedError).lastError?.cause as Error & { error?: unknown };
      expect(`${cause?.message} ${JSON.stringify(cause?.error)}`).not.toContain(CANARY);
    }
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(CANARY);
    expect(JSON.stringify(pool.snapshot())).not.toContain(CANARY);
    expect(JSON.stringify(pool.toJSON())).not.toContain(CANARY);
    await pool.close();
  });
});
