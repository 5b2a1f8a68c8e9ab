/** What every bench scenario shares: its context, the bench keys and the figures it reports. */
import type { KeyBehaviour } from '@keypool/emulator';
import type { BenchKey, Contender } from './contenders.ts';
import type { DriveResult } from './drive.ts';
import type { Gateway } from './portkey.ts';
import { quantile, ratio, round } from './stats.ts';

export interface ScenarioContext {
  contenders: readonly Contender[];
  gateway: Gateway | undefined;
  /** Why the gateway is not running, when it is not. */
  gatewayProblem?: string;
  /** Multiplies call counts (BENCH_SCALE), for a quicker or a longer run. */
  scale: number;
  log(message: string): void;
}

export const MODEL = 'gpt-4o';
export const FALLBACK_MODEL = 'claude-haiku-4-5';
export const SECRETS = [1, 2, 3].map((index) => `sk-bench-key-${index}-0000000000000000000000${index}`);
export const ANTHROPIC_SECRET = 'sk-ant-bench-fallback-00000000000000000001';

export function benchKeys(behaviours: readonly KeyBehaviour[]): BenchKey[] {
  return behaviours.map((behaviour, index) => ({
    id: `key-${index + 1}`,
    secret: SECRETS[index]!,
    ...(behaviour.rpm === undefined ? {} : { rpm: behaviour.rpm }),
  }));
}

export const labelOf =
  (keys: readonly BenchKey[]) =>
  (secret: string): string =>
    keys.find((key) => key.secret === secret)?.id ?? (secret === ANTHROPIC_SECRET ? 'anthropic' : 'other');

export const percent = (value: number): number => round(value * 100, 1);
export const scaled = (calls: number, scale: number): number => Math.max(4, Math.round(calls * scale));

export const anthropicKey: BenchKey = { id: 'anthropic-1', secret: ANTHROPIC_SECRET };

export const served = (result: DriveResult, calls: number): number =>
  percent(ratio(result.records.filter((record) => record.ok).length, calls));
export const okCalls = (result: DriveResult): number => result.records.filter((record) => record.ok).length;
export const callMs = (result: DriveResult, q: number): number =>
  round(
    quantile(
      result.records.filter((record) => record.ok).map((record) => record.ms),
      q,
    ),
    1,
  );

export function shareText(counts: Record<string, number>, keys: readonly BenchKey[]): string {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return keys.map((key) => `${Math.round((100 * (counts[key.id] ?? 0)) / Math.max(1, total))}`).join(' / ');
}
