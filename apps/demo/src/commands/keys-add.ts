import { MACHINE_MODE_NOTICE, type VaultEntryInfo } from '@keypool/keystore';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { parseProvider } from '../providers';
import { readSecret } from '../read-secret';

/** `keys add` options. */
export interface KeysAddOptions extends VaultCommandOptions {
  primary?: boolean;
  label?: string;
  weight?: number;
  rpm?: number;
  tpm?: number;
  rpd?: number;
  disabled?: boolean;
  secret?: string;
  forceArgv?: boolean;
  json?: boolean;
}

function checkNumber(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0))
    throw CliError.usage(`--${name} must be a non-negative number`, 'bad_option');
}

/** The masked view of an entry, as every command prints it. */
export function entryJson(entry: VaultEntryInfo): Record<string, unknown> {
  return {
    provider: entry.provider,
    id: entry.id,
    masked: entry.masked,
    fingerprint: entry.fingerprint,
    status: entry.disabled ? 'disabled' : 'enabled',
    primary: entry.primary === true,
    ...(entry.disabledReason ? { disabledReason: entry.disabledReason } : {}),
    ...(entry.label ? { label: entry.label } : {}),
    ...(entry.weight !== undefined ? { weight: entry.weight } : {}),
    ...(entry.limits ? { limits: entry.limits } : {}),
    createdAt: entry.createdAt,
    ...(entry.updatedAt ? { updatedAt: entry.updatedAt } : {}),
  };
}

/** `keypool keys add <provider> <id>`: stores a key in the vault. */
export async function keysAdd(
  { io, out }: CommandContext,
  providerArgument: string,
  id: string,
  options: KeysAddOptions,
): Promise<number> {
  const provider = parseProvider(providerArgument);
  for (const name of ['weight', 'rpm', 'tpm', 'rpd'] as const) checkNumber(name, options[name]);
  const secret = await readSecret(io, {
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    forceArgv: options.forceArgv === true,
    prompt: `Secret of the ${provider} key "${id}" (hidden)`,
  });
  const vault = openCliVault(io, options);
  const limits = {
    ...(options.rpm === undefined ? {} : { rpm: options.rpm }),
    ...(options.tpm === undefined ? {} : { tpm: options.tpm }),
    ...(options.rpd === undefined ? {} : { rpd: options.rpd }),
  };
  const entry = await vault.add({
    provider,
    id,
    secret,
    ...(options.primary ? { primary: true } : {}),
    ...(options.disabled ? { disabled: true } : {}),
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.weight === undefined ? {} : { weight: options.weight }),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  });
  const machine = options.machineBound === true;
  out.json({
    ok: true,
    vault: vault.path,
    ...(machine ? { mode: 'machine', notice: MACHINE_MODE_NOTICE } : {}),
    key: entryJson(entry),
  });
  out.print(
    `added ${entry.provider} key "${entry.id}" (${entry.masked})${entry.primary ? ' as primary' : ''} to ${vault.path}`,
  );
  if (machine) out.print(`vault ${MACHINE_MODE_NOTICE}`);
  return 0;
}
