import type { Emulator, KeyBehaviour, ModelBehaviour } from '@keypool/emulator';
import { CliError } from '../cli-error';
import { formatDuration } from '../format-duration';
import { DEMO_CHAIN_ORDER, DEMO_MODELS, type DemoKey, demoKey, demoLatency } from './demo-fleet';

/** The scenarios `keypool simulate` knows. */
export const SCENARIO_NAMES = ['all', 'revoked', 'rate-limit', 'outage', 'quota'] as const;

/** A scenario's name. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Something the scenario does to the emulator when the run reaches a given call. */
export interface ScenarioAction {
  /** Runs just before this call (0-based) starts. */
  atCall: number;
  /** What it does, for the live view. */
  label: string;
  apply(emulator: Emulator): void;
}

/** A scenario, planned for a run: the keys' starting behaviours, the timed actions, and what to check at the end. */
export interface ScenarioPlan {
  name: ScenarioName;
  /** One line per injected failure, for the header of the run. */
  description: string[];
  /** Emulator behaviour per secret at the start. */
  keys: Map<string, KeyBehaviour>;
  /** Emulator behaviour per model at the start (each model's answer time). */
  models: Map<string, ModelBehaviour>;
  actions: ScenarioAction[];
  /** The key revoked mid-run (emulator `revokeAfter`). */
  revoked?: { key: DemoKey; after: number };
  /** Keys with a low emulated rpm. */
  rateLimited: { key: DemoKey; rpm: number }[];
  /** Models down for a while, and the call at which each outage starts. */
  outages: { provider: DemoKey['provider']; model: string; atCall: number; downMs: number }[];
  /** The key whose quota runs out mid-run, and the call at which it does. */
  quota?: { key: DemoKey; atCall: number };
}

/** Parses a scenario name (usage error listing the known ones). */
export function parseScenario(value: string): ScenarioName {
  if ((SCENARIO_NAMES as readonly string[]).includes(value)) return value as ScenarioName;
  throw CliError.usage(
    `unknown scenario "${value}": use one of ${SCENARIO_NAMES.join(', ')}`,
    'unknown_scenario',
  );
}

/**
 * Plans a scenario over the demo fleet for a run of `calls` calls. Failures are placed by call number, so a run
 * tells the same story at any speed:
 *
 * - `revoked`: anthropic-1 is revoked after a few calls (emulator `revokeAfter`): one 401, the key is disabled, the
 *   call moves to another key at once, and the key is never tried again.
 * - `rate-limit`: anthropic-2 may make 3 requests per (1 s) window, and each gemini key 2: 429s with the providers'
 *   real headers; keys cool down for what the provider says and the pools learn the limits.
 * - `outage`: at 30% of the calls the anthropic model answers "overloaded" for 3 s; at 40% the openai model too, for
 *   1.5 s: the chain falls back to gemini (and mistral), breakers open, probe, and close when the models return.
 * - `quota`: at 65% of the calls anthropic-3's quota runs out (`quotaExhausted`): a long cooldown, the reason kept.
 * - `all`: all four at once.
 */
export function planScenario(
  name: ScenarioName,
  fleet: readonly DemoKey[],
  calls: number,
  latencyMs: number,
): ScenarioPlan {
  const plan: ScenarioPlan = {
    name,
    description: [],
    keys: new Map(fleet.map((key) => [key.secret, {}])),
    models: new Map(
      DEMO_CHAIN_ORDER.map((provider) => [
        DEMO_MODELS[provider],
        { firstTokenDelayMs: demoLatency(provider, latencyMs) },
      ]),
    ),
    actions: [],
    rateLimited: [],
    outages: [],
  };
  const behaviour = (key: DemoKey) => plan.keys.get(key.secret)!;
  const at = (fraction: number) => Math.min(calls - 1, Math.max(1, Math.round(calls * fraction)));
  const all = name === 'all';

  if (all || name === 'revoked') {
    const key = demoKey(fleet, 'anthropic-1');
    const after = Math.max(3, Math.round(calls * 0.05));
    behaviour(key).revokeAfter = after;
    plan.revoked = { key, after };
    plan.description.push(`revoked: ${key.id} is revoked after ${after} calls`);
  }
  if (all || name === 'rate-limit') {
    const limits: [string, number][] = [
      ['anthropic-2', 3],
      ['gemini-1', 2],
      ['gemini-2', 2],
      ['gemini-3', 2],
    ];
    for (const [id, rpm] of limits) {
      const key = demoKey(fleet, id);
      behaviour(key).rpm = rpm;
      plan.rateLimited.push({ key, rpm });
    }
    plan.description.push(
      'rate-limit: anthropic-2 allows 3 requests a window, each gemini key 2 (window: 1 s)',
    );
  }
  if (all || name === 'outage') {
    const outages = [
      { provider: 'anthropic' as const, atCall: at(0.3), downMs: 3_000 },
      { provider: 'openai' as const, atCall: at(0.4), downMs: 1_500 },
    ];
    for (const outage of outages) {
      const model = DEMO_MODELS[outage.provider];
      plan.outages.push({ ...outage, model });
      plan.actions.push({
        atCall: outage.atCall,
        label: `${outage.provider} ${model} goes down for ${formatDuration(outage.downMs)}`,
        apply: (emulator) =>
          emulator.setModelBehaviour(model, {
            ...plan.models.get(model),
            outage: { downMs: outage.downMs, from: 'set' },
          }),
      });
    }
    plan.description.push(
      `outage: ${DEMO_MODELS.anthropic} down 3s at call ${at(0.3)}, ${DEMO_MODELS.openai} down 1.5s at call ${at(0.4)}`,
    );
  }
  if (all || name === 'quota') {
    const key = demoKey(fleet, 'anthropic-3');
    const atCall = at(0.65);
    plan.quota = { key, atCall };
    plan.actions.push({
      atCall,
      label: `${key.id}'s quota runs out`,
      apply: (emulator) => emulator.setKeyBehaviour(key.secret, { ...behaviour(key), quotaExhausted: true }),
    });
    plan.description.push(`quota: ${key.id}'s quota runs out at call ${atCall}`);
  }
  plan.actions.sort((a, b) => a.atCall - b.atCall);
  return plan;
}
