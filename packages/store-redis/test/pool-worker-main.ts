import { type KeyConfig, PoolExhaustedError } from '@keypool/core';
import { createOpenAIPool } from '@keypool/openai';
import { createRedisStore } from '../src/index.ts';

/** What the parent test sends a worker. */
export type WorkerCommand =
  | { type: 'run'; calls: number; gapMs: number }
  | { type: 'load'; forMs: number; loops: number; gapMs: number }
  | { type: 'cool'; keyId: string; forMs: number }
  | { type: 'snapshot'; refresh?: boolean }
  | { type: 'close' };

/** One call of a `load` command: when it ended and how. */
export interface LoadOutcome {
  at: number;
  outcome: 'ok' | 'exhausted' | 'error';
  message?: string;
}

/** A worker's configuration (JSON in argv[2]). */
export interface WorkerConfig {
  redisUrl: string;
  prefix: string;
  baseURL: string;
  windowMs: number;
  keys: KeyConfig[];
}

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
const store = createRedisStore({ redis: config.redisUrl, prefix: config.prefix, timeoutMs: 1_000 });
const pool = createOpenAIPool({
  keys: config.keys,
  store,
  windowMs: config.windowMs,
  maxWaitMs: 2_000,
  clientOptions: { baseURL: config.baseURL },
});
const degraded: string[] = [];
const recovered: number[] = [];
store.on('store.degraded', (event) => degraded.push(`${event.operation}: ${event.message}`));
store.on('store.recovered', (event) => recovered.push(event.at));
await pool.whenReady();

const send = (message: unknown) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

process.on('message', async (command: WorkerCommand) => {
  if (command.type === 'run') {
    const failures: string[] = [];
    let ok = 0;
    let exhausted = 0;
    for (let index = 0; index < command.calls; index++) {
      for (let retry = 0; ; retry++) {
        try {
          // The app's own OpenAI code: the pool's client is a drop-in `OpenAI`.
          await pool.client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 8,
          });
          ok++;
          break;
        } catch (error) {
          // Over capacity, the pool says when to come back (other processes won the freed slots): an app retries.
          if (error instanceof PoolExhaustedError && retry < 20) {
            exhausted++;
            await sleep(Math.max(error.retryAfterMs ?? 0, 10));
            continue;
          }
          failures.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
          break;
        }
      }
      if (command.gapMs > 0) await sleep(command.gapMs * (0.5 + Math.random()));
    }
    send({ type: 'ran', ok, exhausted, failures, degraded });
  } else if (command.type === 'load') {
    // Steady load for a while: each call's end time and outcome, with no retry by the app (the pool's own rules only).
    const outcomes: LoadOutcome[] = [];
    const end = Date.now() + command.forMs;
    const loop = async () => {
      while (Date.now() < end) {
        try {
          await pool.client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 8,
          });
          outcomes.push({ at: Date.now(), outcome: 'ok' });
        } catch (error) {
          const outcome = error instanceof PoolExhaustedError ? 'exhausted' : 'error';
          outcomes.push({
            at: Date.now(),
            outcome,
            message: error instanceof Error ? error.message : String(error),
          });
        }
        await sleep(command.gapMs * (0.5 + Math.random()));
      }
    };
    await Promise.all(Array.from({ length: command.loops }, loop));
    send({ type: 'loaded', outcomes, degraded, recovered });
  } else if (command.type === 'cool') {
    const key = pool.snapshot().find((entry) => entry.id === command.keyId)!;
    const storeKey = { fingerprint: key.fingerprint, limits: key.limits ?? {} };
    const now = Date.now();
    // What the engine does after a 429: a reservation, then a failed attempt with a cooldown.
    const reserved = await store.reserve(storeKey, { requests: 1, tokens: 0 }, now);
    await store.record(storeKey, {
      now,
      outcome: 'failure',
      category: 'rate_limit',
      reservedTokens: 0,
      latencyMs: 1,
      probe: reserved.ok && reserved.probe,
      cooldownUntil: now + command.forMs,
      reason: 'rate_limit: cooled by a test',
    });
    send({ type: 'cooled', at: Date.now(), until: now + command.forMs });
  } else if (command.type === 'snapshot') {
    if (command.refresh) await pool.refresh();
    send({ type: 'snapshot', keys: pool.snapshot(), degraded });
  } else if (command.type === 'close') {
    await pool.close();
    await store.close();
    process.exit(0);
  }
});
send({ type: 'ready', pid: process.pid });
