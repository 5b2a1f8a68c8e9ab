import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { createAnthropicPool } from '@keypool/anthropic';
import { type KeyPool, sha256Hex } from '@keypool/core';
import { type Emulator, type ModelBehaviour, startEmulator, startRawAnswerServer } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createGeminiPool } from '@keypool/gemini';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool } from '@keypool/openai';
import { createRedisStore, type RedisStateStore } from '@keypool/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeypool, tempDir } from './run-keypool';

/**
 * The leak test: canary secrets go through every failure the emulator can produce, on pools of all four providers
 * sharing a real Redis, through a fallback chain and through the CLI; every output, event, snapshot, saved state,
 * error (`util.inspect` of the whole cause chain, hidden properties included), Redis value and pub/sub message is
 * searched for any 8-character piece of any canary.
 */

const PROVIDERS = ['openai', 'anthropic', 'gemini', 'mistral'] as const;
type Provider = (typeof PROVIDERS)[number];
const PREFIX: Record<Provider, string> = {
  openai: 'sk-proj-',
  anthropic: 'sk-ant-api03-',
  gemini: 'AIza',
  mistral: '',
};

/** The emulator's key behaviours, one canary key each per provider. */
const KEY_BEHAVIOURS = {
  healthy: {},
  invalid: { invalid: true },
  leaked: { leaked: true },
  quota: { quotaExhausted: true },
  limited: { rpm: 1 },
  revoked: { revokeAfter: 1 },
  faulty: { faultRate: 0.5 },
} as const;

/** The emulator's model behaviours: the failure catalogue. */
const CATALOGUE: Record<string, ModelBehaviour> = {
  ok: {},
  overloaded: { overloaded: true },
  'server-error': { serverError: true },
  'server-error-once': { serverErrorOnce: true },
  'reset-before-headers': { resetBeforeHeaders: true },
  'no-response': { noResponse: true },
  'slow-first-token': { firstTokenDelayMs: 2_000 },
  'stream-cut': { streamCutAfterChunks: 1 },
  'stream-stall': { streamStallAfterChunks: 1 },
  'malformed-chunk': { malformedChunk: true },
  'no-terminator': { noTerminator: true },
  'mid-stream-error': { midStreamError: true },
  'tiny-context': { contextWindow: 3 },
  'content-filter': { contentFilter: true },
  'not-found': { notFound: true },
  outage: { outage: { downMs: 60_000, from: 'set' } },
  'hang-up': { hangUpAfterMs: 300 },
  'malformed-noise': { malformedNoise: true },
  'reject-prefill': { rejectPrefill: true, streamCutAfterChunks: 1 },
  'malformed-json': { invalidStructuredOutput: 'malformed_json' },
  'schema-mismatch': { invalidStructuredOutput: 'schema_mismatch' },
  'invalid-response-body': { invalidResponseBody: true },
};

/** A canary: the provider's usual prefix and a random-looking body (no 8 characters of it occur by chance). */
function canary(provider: Provider, name: string): string {
  const body = Buffer.from(sha256Hex(`leak-canary-${provider}-${name}`), 'hex').toString('base64url');
  return provider === 'mistral'
    ? body.replace(/[-_]/g, 'x').slice(0, 32)
    : `${PREFIX[provider]}${body.slice(0, 28)}`;
}

const CANARIES: Record<Provider, Record<keyof typeof KEY_BEHAVIOURS, string>> = Object.fromEntries(
  PROVIDERS.map((provider) => [
    provider,
    Object.fromEntries(Object.keys(KEY_BEHAVIOURS).map((name) => [name, canary(provider, name)])),
  ]),
) as Record<Provider, Record<keyof typeof KEY_BEHAVIOURS, string>>;
const ALL_CANARIES = PROVIDERS.flatMap((provider) => Object.values(CANARIES[provider]));
const PIECES = new Set(
  ALL_CANARIES.flatMap((secret) => [...Array(secret.length - 7)].map((_, i) => secret.slice(i, i + 8))),
);

/** Every place in `text` where a piece of a canary shows, with a little context. */
function leaksIn(where: string, text: string): string[] {
  const found: string[] = [];
  for (let index = 0; index + 8 <= text.length; index++) {
    if (PIECES.has(text.slice(index, index + 8))) {
      found.push(`${where}: ...${text.slice(Math.max(0, index - 40), index + 48)}...`);
      index += 7;
    }
  }
  return found;
}

/** Everything there is to see of a value: inspect with hidden properties and the whole cause chain, and JSON. */
function everythingOf(value: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    json = '';
  }
  return `${inspect(value, { depth: Infinity, showHidden: true, getters: true })}\n${json}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs `redis-cli` against the test server and resolves with its output. */
function redisCli(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-p', String(port), '--raw', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', () => resolve(out));
  });
}

/** Every key of the test Redis with its value, whatever its type. */
async function dumpRedis(port: number): Promise<string> {
  const keys = (await redisCli(port, ['--scan'])).split('\n').filter(Boolean);
  let dump = '';
  for (const key of keys) {
    const type = (await redisCli(port, ['TYPE', key])).trim();
    const read: Record<string, string[]> = {
      string: ['GET', key],
      hash: ['HGETALL', key],
      list: ['LRANGE', key, '0', '-1'],
      set: ['SMEMBERS', key],
      zset: ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
      stream: ['XRANGE', key, '-', '+'],
    };
    dump += `${key} (${type}): ${read[type] ? await redisCli(port, read[type]) : ''}\n`;
  }
  return dump;
}

function poolFor(provider: Provider, emulator: Emulator, store: RedisStateStore): KeyPool {
  const keys = Object.entries(CANARIES[provider]).map(([id, secret]) => ({ id, secret }));
  const common = {
    keys,
    store,
    maxAttempts: 3,
    attemptTimeoutMs: 300,
    deadlineMs: 1_000,
    maxWaitMs: 0,
    retryBaseMs: 10,
  };
  switch (provider) {
    case 'openai':
      return createOpenAIPool({
        ...common,
        clientOptions: { baseURL: emulator.baseURLs.openai },
      }) as unknown as KeyPool;
    case 'anthropic':
      return createAnthropicPool({
        ...common,
        clientOptions: { baseURL: emulator.baseURLs.anthropic },
      }) as unknown as KeyPool;
    case 'gemini':
      return createGeminiPool({
        ...common,
        clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini } },
      }) as unknown as KeyPool;
    case 'mistral':
      return createMistralPool({
        ...common,
        clientOptions: { serverURL: emulator.baseURLs.mistral },
      }) as unknown as KeyPool;
  }
}

/** One native SDK call through `pool.client`, per provider. */
function nativeCall(provider: Provider, pool: KeyPool, model: string): Promise<unknown> {
  type Call = (body: unknown) => Promise<unknown>;
  const client = (pool as KeyPool & { client: unknown }).client as {
    chat: { completions: { create: Call }; complete: Call };
    messages: { create: Call };
    models: { generateContent: Call };
  };
  const messages = [{ role: 'user', content: 'native call' }];
  switch (provider) {
    case 'openai':
      return client.chat.completions.create({ model, messages });
    case 'anthropic':
      return client.messages.create({ model, max_tokens: 20, messages });
    case 'gemini':
      return client.models.generateContent({ model, contents: 'native call' });
    case 'mistral':
      return client.chat.complete({ model, messages });
  }
}

/** The key a request carried, whatever the provider's header. */
function keyOf(headers: Headers): string {
  return (
    headers.get('x-goog-api-key') ??
    headers.get('x-api-key') ??
    (headers.get('authorization') ?? '').replace(/^Bearer /, '')
  );
}

/**
 * A fetch like a misbehaving proxy library's: it fails with an error whose cause quotes the request's key in its
 * message, a `headers` record and a plain field.
 */
async function quotingFetch(input: unknown, init?: { headers?: unknown }): Promise<Response> {
  const headers = new Headers(
    (init?.headers as HeadersInit | undefined) ?? (input instanceof Request ? input.headers : undefined),
  );
  const key = keyOf(headers);
  throw new TypeError('fetch failed', {
    cause: Object.assign(new Error(`proxy refused the request with key ${key}`), {
      key,
      headers: Object.fromEntries(headers),
    }),
  });
}

/** A pool of `provider` with its canaries, pointed at `baseURL` (and at `fetch` when given). */
function hostilePool(provider: Provider, baseURL: string, fetch?: typeof quotingFetch): KeyPool {
  const keys = Object.entries(CANARIES[provider]).map(([id, secret]) => ({ id, secret }));
  const common = { keys, maxAttempts: 2, maxWaitMs: 0, retryBaseMs: 1, deadlineMs: 2_000 };
  const withFetch = fetch ? { fetch: fetch as never } : {};
  switch (provider) {
    case 'openai':
      return createOpenAIPool({ ...common, clientOptions: { baseURL, ...withFetch } }) as unknown as KeyPool;
    case 'anthropic':
      return createAnthropicPool({
        ...common,
        clientOptions: { baseURL, ...withFetch },
      }) as unknown as KeyPool;
    case 'gemini':
      return createGeminiPool({
        ...common,
        clientOptions: { httpOptions: { baseUrl: baseURL, ...withFetch } },
      }) as unknown as KeyPool;
    case 'mistral':
      return createMistralPool({
        ...common,
        clientOptions: { serverURL: baseURL, ...withFetch },
      }) as unknown as KeyPool;
  }
}

let emulator: Emulator;
let redis: ChildProcess;
let redisPort: number;
let pubsub: ChildProcess;
let pubsubText = '';

beforeAll(async () => {
  redisPort = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let tries = 0; (await redisCli(redisPort, ['PING'])).trim() !== 'PONG'; tries++) {
    if (tries > 100) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  pubsub = spawn('redis-cli', ['-p', String(redisPort), 'PSUBSCRIBE', '*'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  pubsub.stdout?.on('data', (chunk: Buffer) => {
    pubsubText += chunk.toString();
  });
  const keys = Object.fromEntries(
    PROVIDERS.flatMap((provider) =>
      Object.entries(KEY_BEHAVIOURS).map(([name, behaviour]) => [
        CANARIES[provider][name as keyof typeof KEY_BEHAVIOURS],
        behaviour,
      ]),
    ),
  );
  emulator = await startEmulator({ keys, models: CATALOGUE, seed: 7 });
});

afterAll(async () => {
  await emulator?.close();
  pubsub?.kill('SIGKILL');
  redis?.kill('SIGKILL');
});

describe('no canary leaks through any failure of the catalogue', () => {
  it('pools of all four providers, a fallback chain, Redis and the CLI', async () => {
    const leaks: string[] = [];
    const stores: RedisStateStore[] = [];
    const pools = {} as Record<Provider, KeyPool>;
    const seen: { where: string; value: unknown }[] = [];
    const codes: (number | null)[] = [];

    await Promise.all(
      PROVIDERS.map(async (provider) => {
        const store = createRedisStore({
          redis: `redis://127.0.0.1:${redisPort}`,
          prefix: `leak-${provider}`,
        });
        stores.push(store);
        const pool = poolFor(provider, emulator, store);
        pools[provider] = pool;
        pool.onAny((event) => seen.push({ where: `${provider} event`, value: event }));
        // Every model of the catalogue at once (plain and streamed): the slow ones (no response, stalls) overlap.
        await Promise.all(
          Object.keys(CATALOGUE).map(async (model) => {
            const request = {
              model,
              messages: [{ role: 'user' as const, content: `tell me about ${model}` }],
              maxTokens: 20,
            };
            const outcome = await pool.chat(request).catch((error: unknown) => error);
            seen.push({ where: `${provider} chat ${model}`, value: outcome });
            try {
              for await (const part of pool.stream(request))
                seen.push({ where: `${provider} stream ${model}`, value: part });
            } catch (error) {
              seen.push({ where: `${provider} stream ${model} error`, value: error });
            }
          }),
        );
        for (const model of ['server-error', 'content-filter', 'ok']) {
          const outcome = await nativeCall(provider, pool, model).catch((error: unknown) => error);
          seen.push({ where: `${provider} native ${model}`, value: outcome });
        }
        await pool.disableKey('healthy', `pasted by mistake: ${ALL_CANARIES.join(' ')}`);
        seen.push({ where: `${provider} snapshot`, value: pool.snapshot() });
        seen.push({ where: `${provider} toJSON`, value: pool.toJSON() });
        seen.push({ where: `${provider} pool`, value: pool });
      }),
    );

    for (const pool of Object.values(pools)) for (const id of pool.keyIds()) await pool.enableKey(id);
    const chain = createFallbackChain(
      [
        { pool: pools.openai, model: 'server-error' },
        { pool: pools.anthropic, model: 'overloaded' },
        { pool: pools.gemini, model: 'not-found' },
        { pool: pools.mistral, model: 'content-filter' },
      ],
      { deadlineMs: 4_000, attemptTimeoutMs: 400 },
    );
    chain.onAny((event) => seen.push({ where: 'chain event', value: event }));
    const request = { model: 'any', messages: [{ role: 'user' as const, content: 'through the chain' }] };
    seen.push({ where: 'chain chat', value: await chain.chat(request).catch((error: unknown) => error) });
    try {
      for await (const part of chain.stream(request)) seen.push({ where: 'chain stream', value: part });
    } catch (error) {
      seen.push({ where: 'chain stream error', value: error });
    }

    for (const { where, value } of seen) leaks.push(...leaksIn(where, everythingOf(value)));
    for (const store of stores) await store.close();
    leaks.push(...leaksIn('redis', await dumpRedis(redisPort)));
    leaks.push(...leaksIn('redis pub/sub', pubsubText));
    leaks.push(...leaksIn('emulator log', everythingOf(emulator.requests)));

    // The CLI, with every canary inline in a keys file, chaining failing models, in text (streamed) and JSON.
    const dir = await tempDir();
    try {
      const file = `${dir.path}/keypool.json`;
      await writeFile(
        file,
        JSON.stringify({
          providers: Object.fromEntries(
            PROVIDERS.map((provider) => [
              provider,
              { keys: Object.entries(CANARIES[provider]).map(([id, secret]) => ({ id, secret })) },
            ]),
          ),
        }),
      );
      const args = [
        'chat',
        'hello',
        '--keys',
        file,
        ...PROVIDERS.flatMap((provider) => ['--base-url', `${provider}=${emulator.baseURLs[provider]}`]),
        '--chain',
        'openai:server-error,anthropic:overloaded,gemini:not-found,mistral:content-filter',
        '--timeout',
        '5000',
      ];
      const runs = await Promise.all([runKeypool([...args, '--stream']), runKeypool([...args, '--json'])]);
      for (const [index, run] of runs.entries()) {
        leaks.push(...leaksIn(`cli run ${index}`, `${run.stdout}\n${run.stderr}`));
      }
      codes.push(...runs.map((run) => run.code));
    } finally {
      await dir.remove();
    }

    expect(leaks).toEqual([]);
    expect(seen.length).toBeGreaterThan(300);
    // Every step of the CLI's chain fails: both runs exit 1 (failed), after trying all four providers.
    expect(codes).toEqual([1, 1]);
  });
  it('hostile upstreams: a server that echoes the key in its headers and body, a fetch that quotes it', async () => {
    const echo = await startRawAnswerServer((request) => {
      const key = keyOf(new Headers(request.headers as Record<string, string>));
      return {
        status: 401,
        headers: {
          'content-type': 'application/json',
          'x-echo-key': key,
          'www-authenticate': `Bearer ${key}`,
        },
        body: JSON.stringify({
          error: { message: `invalid key ${key}`, key, code: 401, status: 'UNAUTHENTICATED' },
        }),
      };
    });
    const leaks: string[] = [];
    try {
      for (const provider of PROVIDERS) {
        for (const [name, pool] of [
          ['echo', hostilePool(provider, provider === 'openai' ? `${echo.url}/v1` : echo.url)],
          ['quoting fetch', hostilePool(provider, emulator.baseURLs[provider], quotingFetch)],
        ] as const) {
          const events: unknown[] = [];
          pool.onAny((event) => events.push(event));
          const request = {
            model: 'ok',
            messages: [{ role: 'user' as const, content: 'hi' }],
            maxTokens: 20,
          };
          const chat = await pool.chat(request).catch((error: unknown) => error);
          let streamed: unknown;
          try {
            for await (const _ of pool.stream(request)) {
              // drain
            }
          } catch (error) {
            streamed = error;
          }
          expect(chat).toBeInstanceOf(Error);
          leaks.push(
            ...leaksIn(`${provider} ${name}`, everythingOf([chat, streamed, events, pool.snapshot()])),
          );
        }
      }
    } finally {
      await echo.close();
    }
    expect(leaks).toEqual([]);
  });
});
