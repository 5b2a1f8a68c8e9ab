import { readFileSync, statSync } from 'node:fs';
import type { KeySnapshot, PoolState } from '@keypool/core';
import type { DashboardPool } from '@keypool/dashboard';
import { CliError } from './cli-error';
import { ExitCode } from './exit-codes';
import { keyStatusAt } from './key-status-line';
import type { StateFile } from './state-file';
import { isPoolState } from './status-rows';

/** A snapshot for a key that `pool.toJSON()` saved: it has a fingerprint but no masked secret. */
function snapshotOf(key: PoolState['keys'][number], now: number): KeySnapshot {
  const state = key.state;
  const cooling = state.status !== 'disabled' && state.cooldownUntil > now;
  const snapshot: KeySnapshot = {
    id: key.id,
    masked: `#${key.fingerprint.slice(0, 8)}`,
    fingerprint: key.fingerprint,
    status: state.status === 'disabled' ? 'disabled' : cooling ? 'cooling' : 'active',
    inFlight: 0,
    weight: 1,
    limits: {},
    tags: [],
    usage: { requests: 0, tokens: 0, day: 0 },
    counts: { requests: state.requests, successes: state.successes, failures: { ...state.failures } },
    consecutiveFailures: state.consecutiveFailures,
  };
  if (state.reason) snapshot.reason = state.reason;
  if (state.category) snapshot.category = state.category;
  if (cooling) {
    snapshot.cooldownUntil = state.cooldownUntil;
    snapshot.cooldownRemainingMs = state.cooldownUntil - now;
  }
  if (state.latencyEwmaMs !== undefined) snapshot.latencyEwmaMs = state.latencyEwmaMs;
  for (const field of ['lastUsedAt', 'lastSuccessAt', 'lastFailureAt'] as const)
    if (typeof state[field] === 'number') snapshot[field] = state[field];
  if (Array.isArray(key.history)) snapshot.history = key.history;
  return snapshot;
}

/** A saved snapshot as it stands now: a cooldown counted down, one that ended shown half-open. */
function bringToNow(key: KeySnapshot, now: number): KeySnapshot {
  const line = keyStatusAt(key, now);
  const out: KeySnapshot = { ...key, status: line.status };
  delete out.cooldownUntil;
  delete out.cooldownRemainingMs;
  if (line.status === 'cooling' && key.cooldownUntil !== undefined) {
    out.cooldownUntil = key.cooldownUntil;
    out.cooldownRemainingMs = key.cooldownUntil - now;
  }
  return out;
}

/** What a saved file holds, as pools: a `keypool-state` file, one `pool.toJSON()`, or a list of them. */
export function poolsFromDocument(
  document: unknown,
  now: number,
): { provider: string; keys: KeySnapshot[] }[] | undefined {
  const file = document as Partial<StateFile> | null;
  if (file?.kind === 'keypool-state' && Array.isArray(file.pools))
    return file.pools.map((pool) => ({ provider: pool.provider, keys: pool.snapshot }));
  const states = Array.isArray(document) ? document : [document];
  if (states.length > 0 && states.every(isPoolState))
    return states.map((state) => ({
      provider: state.provider,
      keys: state.keys.map((key) => snapshotOf(key, now)),
    }));
  return undefined;
}

/** When and by what a `keypool-state` file was written (a `pool.toJSON()` document says only `savedAt`). */
export function savedBy(document: unknown): { savedAt?: number; source?: string } {
  const file = document as Partial<StateFile> | null;
  if (file?.kind === 'keypool-state') return { savedAt: file.savedAt, source: file.source };
  const first = (Array.isArray(document) ? document[0] : document) as Partial<PoolState> | undefined;
  return typeof first?.savedAt === 'number' ? { savedAt: first.savedAt, source: 'pool.toJSON()' } : {};
}

/** Reads and parses a saved file, with the CLI's exit codes (4 missing, 2 not a state). */
export function readSavedPools(path: string, now: number): { provider: string; keys: KeySnapshot[] }[] {
  return readSavedDocument(path, now).pools;
}

/** Like `readSavedPools`, with when and by what the file was written. */
export function readSavedDocument(
  path: string,
  now: number,
): { pools: { provider: string; keys: KeySnapshot[] }[]; savedAt?: number; source?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the state file ${path}: ${code === 'ENOENT' ? 'no such file' : code}`, {
      exitCode: code === 'ENOENT' ? ExitCode.notFound : ExitCode.usage,
      code: code === 'ENOENT' ? 'state_not_found' : 'state_unreadable',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw CliError.usage(`the state file ${path} is not valid JSON`, 'state_invalid');
  }
  const pools = poolsFromDocument(parsed, now);
  if (!pools)
    throw CliError.usage(
      `${path} is neither a keypool state file (simulate/chat --save-state) nor a pool.toJSON() document`,
      'state_invalid',
    );
  return { pools, ...savedBy(parsed) };
}

/**
 * The pools of a saved file as dashboard pools. The file is read again when it changes, so `keypool dashboard
 * --state` follows a file another process keeps writing.
 */
export function statePoolsFor(path: string): DashboardPool[] {
  let mtime = -1;
  let pools: { provider: string; keys: KeySnapshot[] }[] = [];
  const load = () => {
    const modified = statSync(path).mtimeMs;
    if (modified !== mtime) {
      pools = readSavedPools(path, Date.now());
      mtime = modified;
    }
    return pools;
  };
  return load().map((pool, index) => ({
    provider: pool.provider,
    snapshot: () => {
      let keys: KeySnapshot[];
      try {
        keys = load()[index]?.keys ?? [];
      } catch {
        keys = pools[index]?.keys ?? [];
      }
      return keys.map((key) => bringToNow(key, Date.now()));
    },
  }));
}
