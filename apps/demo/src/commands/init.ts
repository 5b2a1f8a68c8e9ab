import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fingerprintSecret } from '@keypool/core';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { type InitFlags, planFromFlags } from '../init-flags';
import { type InitPlan, keysFileFor } from '../init-plan';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { canPrompt } from '../prompt-hidden';
import { writeFileAtomic } from '../write-file-atomic';
import { entryJson } from './keys-add';

/** `init` options. */
export interface InitOptions extends VaultCommandOptions, InitFlags {
  yes?: boolean;
  file?: string;
  force?: boolean;
  json?: boolean;
}

/**
 * `keypool init`: asks which providers, takes their keys into the vault (typed hidden), their limits and the
 * strategy, and writes a keys file that refers to the vault entries (never to a secret). `--yes` takes everything
 * from flags and the secrets from stdin, for scripts.
 */
export async function init({ io, out }: CommandContext, options: InitOptions): Promise<number> {
  const file = resolve(options.file ?? 'keypool.json');
  if (existsSync(file) && !options.force)
    throw new CliError(`${file} exists; add --force to replace it (nothing was written)`, {
      exitCode: ExitCode.conflict,
      code: 'keys_file_exists',
    });
  let plan: InitPlan;
  if (options.yes) plan = await planFromFlags(io, options);
  else if (canPrompt(io)) {
    const { askInitPlan } = await import('../init-prompts');
    plan = await askInitPlan(io);
  } else
    throw CliError.usage(
      'init asks questions, so it needs a terminal; for scripts use --yes with --key <provider>:<id> ' +
        '(secrets on stdin, one line per key), e.g. printf "%s\\n" "$KEY" | keypool init --yes --key openai:main',
      'no_terminal',
    );

  // Check the whole plan before anything is written: the keys file's shape, then the vault's ids and secrets.
  const keysFile = keysFileFor(plan, file);
  const vault = openCliVault(io, options);
  const existing = await vault.list();
  for (const { provider, keys } of plan.providers) {
    for (const key of keys) {
      const sameId = existing.find((entry) => entry.provider === provider && entry.id === key.id);
      if (sameId)
        throw new CliError(`the vault already holds ${provider} key "${key.id}"; choose another id`, {
          exitCode: ExitCode.conflict,
          code: 'vault_entry_exists',
        });
      const fingerprint = fingerprintSecret(key.secret);
      const sameSecret = existing.find(
        (entry) => entry.provider === provider && entry.fingerprint === fingerprint,
      );
      if (sameSecret)
        throw new CliError(`that ${provider} secret is already in the vault as "${sameSecret.id}"`, {
          exitCode: ExitCode.conflict,
          code: 'vault_duplicate_secret',
        });
    }
  }

  const added = [];
  for (const { provider, keys, limits } of plan.providers) {
    const hasPrimary = existing.some((entry) => entry.provider === provider && entry.primary);
    for (const [index, key] of keys.entries()) {
      added.push(
        await vault.add({
          provider,
          id: key.id,
          secret: key.secret,
          ...(index === 0 && !hasPrimary ? { primary: true } : {}),
          ...(Object.keys(limits).length > 0 ? { limits } : {}),
        }),
      );
    }
  }
  await writeFileAtomic(file, `${JSON.stringify(keysFile, null, 2)}\n`, 0o644);

  out.json({ ok: true, file, vault: vault.path, strategy: plan.strategy, keys: added.map(entryJson) });
  for (const entry of added)
    out.print(`added ${entry.provider} key "${entry.id}" (${entry.masked}) to ${vault.path}`);
  out.print(`wrote ${file} (strategy ${plan.strategy}; secrets stay in the vault)`);
  out.print(`next: keypool keys test --keys ${file}   or   keypool chat "hello" --keys ${file}`);
  return 0;
}
