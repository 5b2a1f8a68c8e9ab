import { z } from 'zod';

/**
 * How the vault's key is protected. `passphrase`: derived by scrypt from a passphrase only a person knows.
 * `machine`: derived from this machine's identity and the user's name. WEAKER: anyone who can read the file and run
 * code as this user on this machine (or learn its identity) can decrypt it, without any secret at all.
 */
export type VaultMode = 'passphrase' | 'machine';

/** Where a machine-bound vault's identity comes from. */
export type MachineIdentitySource = 'machine-id' | 'hostname' | 'custom';

/** The `notice` written into machine-bound vault files, so that the file itself says what it is. */
export const MACHINE_MODE_NOTICE =
  'machine-bound: WEAKER than a passphrase. Anyone who can read this file and run code as this user on this machine can decrypt it.';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** The vault file on disk (format version 1): a JSON envelope around one AES-256-GCM ciphertext. */
export const vaultFileSchema = z.object({
  version: z.literal(1),
  mode: z.enum(['passphrase', 'machine']),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
    salt: base64,
  }),
  cipher: z.literal('aes-256-gcm'),
  iv: base64,
  tag: base64,
  /** HMAC of a constant under a second derived key: tells a wrong passphrase apart from a tampered ciphertext. */
  check: base64,
  ciphertext: base64,
  machine: z.object({ identity: z.enum(['machine-id', 'hostname', 'custom']) }).optional(),
  notice: z.string().optional(),
});

/** The vault file on disk (format version 1). */
export type VaultFile = z.output<typeof vaultFileSchema>;
