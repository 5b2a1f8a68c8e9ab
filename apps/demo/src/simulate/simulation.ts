import type { KeyPool } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { createFallbackChain, type FallbackChain, type FallbackChatResult } from '@keypool/fallback';
import type { ProviderId } from '@keypool/keystore';
import { createProviderPool } from '../create-provider-pool';
import { DEMO_CHAIN_ORDER, DEMO_MODELS, type DemoKey, demoFleet } from './demo-fleet';
import { planScenario, type ScenarioName, type ScenarioPlan } from './scenarios';
import { seededRandom } from './seeded-random';
import type { SimulationEvent } from './simulation-event';

/** How a simulation runs. */
export interface SimulationOptions {
  scenario: ScenarioName;
  calls: number;
  concurrency: number;
  seed: number;
  /** The emulated providers' base latency, ms. */
  latencyMs: number;
}

/** One provider's pool in the simulation. */
export interface SimulatedPool {
  provider: ProviderId;
  model: string;
  pool: KeyPool;
}

/** Where the run is. */
export interface SimulationProgress {
  startedAt: number;
  started: number;
  done: number;
  served: number;
  failed: number;
  inFlight: number;
}

/** The demo's rate-limit "minute": the emulator's windows and the pools' windows both last one second. */
export const DEMO_WINDOW_MS = 1_000;

/**
 * The demo, running: an in-process emulator (127.0.0.1, fast 1 s windows) with 3 fake keys per provider, one pool
 * per provider, a fallback chain anthropic -> openai -> gemini -> mistral over them, a scenario's failures injected
 * at set calls, and `calls` calls sent `concurrency` at a time. Listeners get every key and chain event as it happens.
 */
export class Simulation {
  readonly options: SimulationOptions;
  readonly fleet: DemoKey[];
  readonly plan: ScenarioPlan;
  readonly pools: SimulatedPool[] = [];
  readonly progress: SimulationProgress = {
    startedAt: 0,
    started: 0,
    done: 0,
    served: 0,
    failed: 0,
    inFlight: 0,
  };
  private stopping = false;
  /** Calls served, per provider and key id. */
  readonly servedBy = new Map<string, Map<string, number>>();
  /** Every call's result (undefined for a failed call), by call number. */
  readonly results: (FallbackChatResult | undefined)[] = [];
  /** When each scenario action ran (ms since the epoch), by label. */
  readonly actionTimes = new Map<string, number>();
  /** When each key was disabled (ms since the epoch), by `provider/id`. */
  readonly disabledAt = new Map<string, number>();
  /** Times the engine picked a key after it had disabled it, by `provider/id` (it never should). */
  readonly selectedAfterDisabled = new Map<string, number>();
  emulator: Emulator | undefined;
  chain: FallbackChain | undefined;
  private readonly listeners = new Set<(event: SimulationEvent) => void>();

  constructor(options: SimulationOptions) {
    this.options = options;
    this.fleet = demoFleet(options.seed);
    this.plan = planScenario(options.scenario, this.fleet, options.calls, options.latencyMs);
  }

  /** Listens to the run's events. */
  onEvent(listener: (event: SimulationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: SimulationEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private elapsed(): number {
    return Date.now() - this.progress.startedAt;
  }

  /** Starts the emulator and builds the pools and the chain. */
  async start(): Promise<void> {
    this.progress.startedAt = Date.now();
    this.emulator = await startEmulator({
      port: 0,
      host: '127.0.0.1',
      windowMs: DEMO_WINDOW_MS,
      seed: this.options.seed,
      keys: Object.fromEntries(this.plan.keys),
      models: Object.fromEntries(this.plan.models),
    });
    for (const provider of DEMO_CHAIN_ORDER) {
      const keys = this.fleet
        .filter((key) => key.provider === provider)
        .map((key) => ({ id: key.id, secret: key.secret }));
      const pool = createProviderPool(provider, {
        keys,
        baseURL: this.emulator.baseURLs[provider],
        timeoutMs: 5_000,
        windowMs: DEMO_WINDOW_MS,
        maxWaitMs: 0,
        retryBaseMs: 50,
        deadlineMs: 10_000,
        attemptTimeoutMs: 5_000,
        cooldown: { baseMs: 500, maxMs: 4_000, quotaMs: 20_000 },
      });
      this.watchPool(provider, pool);
      this.pools.push({ provider, model: DEMO_MODELS[provider], pool });
    }
    this.chain = createFallbackChain(
      this.pools.map(({ pool, model }) => ({ pool, model, maxTokens: 16 })),
      { deadlineMs: 15_000, attemptTimeoutMs: 5_000, breaker: { threshold: 3, breakMs: 1_000 } },
    );
    this.chain.on('fallback.step', (event) =>
      this.emit({
        at: this.elapsed(),
        kind: 'fallback',
        from: event.from.name,
        to: event.to.name,
        reason: event.reason,
      }),
    );
    this.chain.on('breaker.open', (event) =>
      this.emit({
        at: this.elapsed(),
        kind: 'breaker',
        step: event.step.name,
        state: 'open',
        durationMs: event.durationMs,
      }),
    );
    this.chain.on('breaker.half_open', (event) =>
      this.emit({ at: this.elapsed(), kind: 'breaker', step: event.step.name, state: 'half_open' }),
    );
    this.chain.on('breaker.close', (event) =>
      this.emit({ at: this.elapsed(), kind: 'breaker', step: event.step.name, state: 'closed' }),
    );
  }

  private watchPool(provider: ProviderId, pool: KeyPool): void {
    pool.on('key.selected', (event) => {
      const name = `${provider}/${event.keyId}`;
      if (this.disabledAt.has(name))
        this.selectedAfterDisabled.set(name, (this.selectedAfterDisabled.get(name) ?? 0) + 1);
    });
    pool.on('key.disabled', (event) => {
      this.disabledAt.set(`${provider}/${event.keyId}`, Date.now());
      this.emit({
        at: this.elapsed(),
        kind: 'disabled',
        provider,
        keyId: event.keyId,
        masked: event.masked,
        category: event.category,
        reason: event.reason,
      });
    });
    pool.on('key.cooldown', (event) =>
      this.emit({
        at: this.elapsed(),
        kind: 'cooldown',
        provider,
        keyId: event.keyId,
        masked: event.masked,
        category: event.category,
        durationMs: event.durationMs,
        reason: event.reason,
      }),
    );
    pool.on('key.recovered', (event) =>
      this.emit({
        at: this.elapsed(),
        kind: 'recovered',
        provider,
        keyId: event.keyId,
        masked: event.masked,
      }),
    );
    pool.on('request.retry', (event) =>
      this.emit({
        at: this.elapsed(),
        kind: 'retry',
        provider,
        fromKeyId: event.fromKeyId,
        category: event.category,
      }),
    );
  }

  /** Sends every call, `concurrency` at a time, applying the scenario's actions on the way. */
  async run(): Promise<void> {
    if (!this.chain || !this.emulator) await this.start();
    const chain = this.chain!;
    const emulator = this.emulator!;
    const { calls, concurrency } = this.options;
    const actions = [...this.plan.actions];
    const progressEvery = Math.max(1, Math.round(calls / 10));
    // Each caller pauses a random moment (seeded) before each call, as real traffic does: without it every call would
    // end at the same instant and the next ones leave in lockstep bursts.
    const random = seededRandom(this.options.seed);
    const pauseMs = this.options.latencyMs / 2;
    let next = 0;
    const worker = async () => {
      while (next < calls && !this.stopping) {
        await new Promise((resolve) => setTimeout(resolve, random() * pauseMs));
        if (next >= calls || this.stopping) break;
        const call = next++;
        while (actions.length > 0 && actions[0]!.atCall <= call) {
          const action = actions.shift()!;
          action.apply(emulator);
          this.actionTimes.set(action.label, Date.now());
          this.emit({ at: this.elapsed(), kind: 'action', label: action.label });
        }
        this.progress.started++;
        this.progress.inFlight++;
        try {
          const result = await chain.chat({
            model: '',
            messages: [{ role: 'user', content: `call ${call + 1}: say hello` }],
          });
          this.results[call] = result;
          this.progress.served++;
          const byKey = this.servedBy.get(result.served.provider) ?? new Map<string, number>();
          byKey.set(result.served.keyId, (byKey.get(result.served.keyId) ?? 0) + 1);
          this.servedBy.set(result.served.provider, byKey);
        } catch (error) {
          this.results[call] = undefined;
          this.progress.failed++;
          this.emit({
            at: this.elapsed(),
            kind: 'failed',
            call: call + 1,
            message: error instanceof Error ? error.message : String(error),
          });
        } finally {
          this.progress.inFlight--;
          this.progress.done++;
          if (this.progress.done % progressEvery === 0 || this.progress.done === calls)
            this.emit({
              at: this.elapsed(),
              kind: 'progress',
              done: this.progress.done,
              total: calls,
              served: this.progress.served,
            });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
  }

  /** Starts no more calls: `run()` resolves once the calls in flight end (e.g. a dashboard stopped with Ctrl-C). */
  stop(): void {
    this.stopping = true;
  }

  /** Closes the pools and the emulator. Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all(this.pools.map(({ pool }) => pool.close()));
    await this.emulator?.close();
    this.emulator = undefined;
  }
}
