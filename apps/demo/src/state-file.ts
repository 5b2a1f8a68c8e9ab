import { readFile } from 'node:fs/promises';
import type { KeyPool, KeySnapshot, PoolState } from '@keypool/core';
import { CliError } from './cli-error';
import { ExitCode } from './exit-codes';
import { writeFileAtomic } from './write-file-atomic';

/** One pool in a state file: what `toJSON()` saves (to restore) and what `snapshot()` shows (to display). */
export interface SavedPool {
  provider: string;
  state: PoolState;
  snapshot: KeySnapshot[];
}

/**
 * A state file, written by `simulate --save-state` and `chat --save-state`, read by `status --state` (and by
 * `chat --save-state` to restore its pools). It names keys by id, masked form and fingerprint: never a secret.
 */
export interface StateFile {
  version: 1;
  kind: 'keypool-state';
  savedAt: number;
  /** Which command wrote it: `simulate` or `chat`. */
  source: string;
  pools: SavedPool[];
}

/** Saves pools' state atomically (a temporary file renamed over the target), mode 0600. */
export async function saveStateFile(
  path: string,
  source: string,
  pools: readonly KeyPool[],
): Promise<StateFile> {
  const file: StateFile = {
    version: 1,
    kind: 'keypool-state',
    savedAt: Date.now(),
    source,
    pools: pools.map((pool) => ({
      provider: pool.provider,
      state: pool.toJSON(),
      snapshot: pool.snapshot(),
    })),
  };
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  return file;
}

/** Reads a state file: exit 4 when it does not exist, exit 2 when it is not one. */
export async function readStateFile(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the state file ${path}: ${code === 'ENOENT' ? 'no such file' : code}`, {
      exitCode: code === 'ENOENT' ? ExitCode.notFound : ExitCode.usage,
      code: code === 'ENOENT' ? 'state_not_found' : 'state_unreadable',
    });
  }
  let parsed: Partial<StateFile>;
  try {
    parsed = JSON.parse(text) as Partial<StateFile>;
  } catch {
    throw CliError.usage(`the state file ${path} is not valid JSON`, 'state_invalid');
  }
  if (parsed?.kind !== 'keypool-state' || parsed.version !== 1 || !Array.isArray(parsed.pools))
    throw CliError.usage(
      `${path} is not a keypool state file (write one with simulate --save-state or chat --save-state)`,
      'state_invalid',
    );
  return parsed as StateFile;
}
