import { createSecretScrubber, fingerprintSecret, maskSecret, type TextScrubber } from '@keypool/core';
import { z } from 'zod';
import type { KeyLimits } from './key-config';
import { PROVIDER_IDS, type ProviderId } from './provider-id';

const vaultEntryObject = z.object({
  provider: z.enum(PROVIDER_IDS),
  id: z.string().min(1),
  secret: z.string().min(1),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
  disabled: z.boolean().optional(),
  disabledReason: z.string().optional(),
  primary: z.boolean().optional(),
  label: z.string().optional(),
  weight: z.number().positive().optional(),
  limits: z
    .object({ rpm: z.number().optional(), tpm: z.number().optional(), rpd: z.number().optional() })
    .optional(),
  tags: z.array(z.string()).optional(),
  quotaGroup: z.string().optional(),
});

/** One key stored in the vault (decrypted). Unknown fields written by newer versions are kept on rewrite. */
export const vaultEntrySchema = vaultEntryObject.loose();

/** The decrypted contents of a vault file. */
export const vaultPayloadSchema = z.looseObject({ entries: z.array(vaultEntrySchema) });

/** One key stored in the vault, with its secret. */
export type VaultEntry = z.output<typeof vaultEntryObject>;

/** One vault entry as it may be shown: the secret replaced by its masked form and fingerprint. */
export type VaultEntryInfo = Omit<VaultEntry, 'secret'> & { masked: string; fingerprint: string };

/** What `vault.add()` takes. Without an id, one is made from the provider and the secret's fingerprint. */
export interface VaultEntryInput {
  provider: ProviderId;
  secret: string;
  id?: string;
  label?: string;
  primary?: boolean;
  disabled?: boolean;
  weight?: number;
  limits?: KeyLimits;
  tags?: string[];
  quotaGroup?: string;
}

/**
 * The masked view of a vault entry, safe to print. Its free texts (`disabledReason`, `label`) are scrubbed with
 * `scrub` (pass one built from every secret of the vault; by default the entry's own secret and anything key-like),
 * so a reason pasted with a key in it (or written by an older version) never comes back out.
 */
export function vaultEntryInfo(entry: VaultEntry, scrub?: TextScrubber): VaultEntryInfo {
  const { secret, ...rest } = entry;
  const info: VaultEntryInfo = {
    ...structuredClone(rest),
    masked: maskSecret(secret),
    fingerprint: fingerprintSecret(secret),
  };
  const scrubText = scrub ?? createSecretScrubber([secret]);
  if (info.disabledReason !== undefined) info.disabledReason = scrubText(info.disabledReason);
  if (info.label !== undefined) info.label = scrubText(info.label);
  return info;
}
