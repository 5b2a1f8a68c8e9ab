import { setMaxListeners } from 'node:events';
import type { KeyBehaviour, ModelBehaviour, ResolvedEmulatorConfig } from './config.ts';
import { KeyState } from './key-state.ts';
import { ModelState } from './model-state.ts';
import { RequestLog } from './request-log.ts';
import type { RandomSource } from './seeded-random.ts';
import { createSeededRandom } from './seeded-random.ts';

/** Everything a running emulator knows: config, per-key and per-model state, the PRNG and the request log. */
export class EmulatorState {
  readonly config: ResolvedEmulatorConfig;
  readonly keys = new Map<string, KeyState>();
  readonly models = new Map<string, ModelState>();
  readonly log: RequestLog;
  /** Aborted when the emulator closes: ends every delay and stall at once. */
  readonly closing = new AbortController();
  random: RandomSource;
  /** Start of the emulator's clock (start or last reset): fixed rate windows are aligned to it. */
  epoch = Date.now();

  constructor(config: ResolvedEmulatorConfig) {
    this.config = config;
    // Every delayed or stalled request listens for the close; there may be thousands at once.
    setMaxListeners(0, this.closing.signal);
    this.log = new RequestLog(config.logRawKeys, config.maxLogEntries);
    this.random = createSeededRandom(config.seed);
    const now = Date.now();
    for (const [key, behaviour] of Object.entries(config.keys)) this.setKey(key, behaviour);
    for (const [model, behaviour] of Object.entries(config.models)) this.setModel(model, behaviour, now);
  }

  /** The state of a key, or undefined if the key is unknown and unknown keys are rejected. */
  keyState(key: string): KeyState | undefined {
    const known = this.keys.get(key);
    if (known !== undefined || !this.config.acceptAnyKey) return known;
    const created = new KeyState({}, this.config.windowMs, this.config.dayMs, this.epoch);
    this.keys.set(key, created);
    return created;
  }

  /** Sets (or replaces) a key's behaviour; its windows and call count carry on. */
  setKey(key: string, behaviour: KeyBehaviour): void {
    const existing = this.keys.get(key);
    if (existing) existing.behaviour = behaviour;
    else this.keys.set(key, new KeyState(behaviour, this.config.windowMs, this.config.dayMs, this.epoch));
  }

  /** Sets (or replaces) a model's behaviour and re-arms its one-shot and outage clocks. */
  setModel(model: string, behaviour: ModelBehaviour, now: number): void {
    const existing = this.models.get(model);
    if (existing) {
      existing.behaviour = behaviour;
      existing.arm(now);
    } else {
      this.models.set(model, new ModelState(behaviour, now));
    }
  }

  /** Clears the log, every window and call count, re-arms one-shot states and re-seeds the PRNG. */
  reset(): void {
    const now = Date.now();
    this.epoch = now;
    this.log.clear();
    for (const key of this.keys.values()) key.resetCounters(now);
    for (const model of this.models.values()) model.arm(now);
    this.random = createSeededRandom(this.config.seed);
  }
}
