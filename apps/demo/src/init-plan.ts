import { headerUnsafe } from '@keypool/core';
import { type KeysFile, type PoolStrategy, type ProviderId, parseKeysFile } from '@keypool/keystore';
import { CliError } from './cli-error';

/** Per-key limits `init` writes (requests per minute, tokens per minute, requests per day). */
export interface InitLimits {
  rpm?: number;
  tpm?: number;
  rpd?: number;
}

/** One provider's part of `keypool init`: its keys (the secrets go to the vault only) and their limits. */
export interface InitProvider {
  provider: ProviderId;
  keys: { id: string; secret: string }[];
  limits: InitLimits;
}

/** Everything `keypool init` was told, by questions or by flags. */
export interface InitPlan {
  strategy: PoolStrategy;
  providers: InitProvider[];
}

/** Why a key id cannot be used, or undefined when it can (the keys file's and the vault's rules). */
export function keyIdProblem(id: string, taken: readonly string[]): string | undefined {
  if (id.trim() === '') return 'a key id is required';
  if (id !== id.trim()) return 'a key id must not start or end with a space';
  if (id.length > 200) return 'a key id must be at most 200 characters';
  if (/[/\s]/.test(id)) return 'a key id must not hold a slash or a space';
  if (taken.includes(id)) return `"${id}" is already used for this provider`;
  return undefined;
}

/** Why a secret cannot be used, or undefined when it can. Never repeats the secret. */
export function secretProblem(secret: string): string | undefined {
  if (secret.trim() === '') return 'a secret is required';
  if (/\s/.test(secret.trim())) return 'the secret holds a space or a line break: paste one key';
  const unsafe = headerUnsafe(secret.trim());
  return unsafe ? `the secret ${unsafe}` : undefined;
}

/** Parses a limit answer: blank is no limit; otherwise a non-negative number. */
export function parseLimit(name: string, text: string | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0)
    throw CliError.usage(`${name} must be a non-negative number`, 'bad_option');
  return value;
}

/**
 * The keys file for a plan: each key refers to its vault entry (`from: "vault:<provider>/<id>"`), never to the
 * secret, with its limits, and each provider's pool uses the chosen strategy. Validated by the keystore's own parser.
 */
export function keysFileFor(plan: InitPlan, path: string): KeysFile {
  const providers: NonNullable<KeysFile['providers']> = {};
  for (const { provider, keys, limits } of plan.providers) {
    providers[provider] = {
      pool: { strategy: plan.strategy },
      keys: keys.map(({ id }) => ({ id, from: `vault:${provider}/${id}`, ...limits })),
    };
  }
  const file: KeysFile = { version: 1, providers };
  // The file must load as written: check it with the same parser `--keys` and `serve` use.
  parseKeysFile(JSON.stringify(file), { file: path, format: 'json' });
  return file;
}
