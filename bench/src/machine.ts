/** The machine a run happened on, recorded with the results. */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Machine } from './report.ts';

export const loadAverage = (): number[] => loadavg().map((value) => Math.round(value * 100) / 100);

export function describeMachine(atStart: number[]): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown cpu',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverage: { atStart, atEnd: loadAverage() },
  };
}
