import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import type { MachineIdentitySource, VaultFile, VaultMode } from './vault-file-format';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** The default scrypt cost for writes: N=2^17, r=8, p=1 (about 128 MiB and a few hundred ms per derivation). */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };

/** The most expensive parameters a vault file may ask for, so a tampered file cannot exhaust memory or time. */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

const CHECK_LABEL = 'keypool-vault-check-v1';

/** Derived key material: one key encrypts, the other proves the passphrase right before decrypting. */
export interface VaultKeys {
  salt: Buffer;
  params: ScryptParams;
  encryptionKey: Buffer;
  checkKey: Buffer;
}

/** The memory scrypt needs for these parameters, with headroom: used as `maxmem`. */
export function scryptMaxmem(params: ScryptParams): number {
  return 128 * params.r * (params.N + params.p + 2) + 1024 * 1024;
}

/** Why scrypt parameters are unacceptable, or `undefined` when they are fine. */
export function scryptParamsProblem(params: ScryptParams): string | undefined {
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0) return 'N must be a power of two from 2 to 2^24';
  if (N > 2 ** 24)
    return `N is 2^${Math.log2(N)}, above the limit of 2^24 (it would take minutes and gigabytes)`;
  if (!Number.isInteger(r) || r < 1 || r > 64) return 'r must be an integer from 1 to 64';
  if (!Number.isInteger(p) || p < 1 || p > 16) return 'p must be an integer from 1 to 16';
  if (scryptMaxmem(params) > MAX_SCRYPT_MEMORY) return 'the parameters need more than 1 GiB of memory';
  return undefined;
}

/** Derives the vault keys from key material (a passphrase or a machine identity) with scrypt. */
export function deriveVaultKeys(material: string, salt: Buffer, params: ScryptParams): Promise<VaultKeys> {
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(material.normalize('NFC'), 'utf8'),
      salt,
      64,
      { N: params.N, r: params.r, p: params.p, maxmem: scryptMaxmem(params) },
      (error, derived) => {
        if (error) reject(error);
        else
          resolve({
            salt,
            params: { ...params },
            encryptionKey: derived.subarray(0, 32),
            checkKey: derived.subarray(32, 64),
          });
      },
    );
  });
}

/** Fresh salt for a write. */
export function newSalt(): Buffer {
  return randomBytes(16);
}

interface VaultHeader {
  mode: VaultMode;
  machine?: { identity: MachineIdentitySource };
}

/** The authenticated (not encrypted) header: changing any of it makes decryption fail. */
function additionalData(file: Omit<VaultFile, 'tag' | 'ciphertext' | 'check' | 'notice'>): Buffer {
  return Buffer.from(
    JSON.stringify([
      file.version,
      file.mode,
      file.kdf.name,
      file.kdf.N,
      file.kdf.r,
      file.kdf.p,
      file.kdf.salt,
      file.cipher,
      file.iv,
      file.machine?.identity ?? null,
    ]),
    'utf8',
  );
}

function checkValue(keys: VaultKeys): Buffer {
  return createHmac('sha256', keys.checkKey).update(CHECK_LABEL).digest();
}

/** Encrypts a plaintext into a vault file with a fresh IV. */
export function encryptVault(plaintext: Buffer, keys: VaultKeys, header: VaultHeader): VaultFile {
  const iv = randomBytes(12);
  const base = {
    version: 1 as const,
    mode: header.mode,
    kdf: { name: 'scrypt' as const, ...keys.params, salt: keys.salt.toString('base64') },
    cipher: 'aes-256-gcm' as const,
    iv: iv.toString('base64'),
    ...(header.machine ? { machine: header.machine } : {}),
  };
  const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, iv, { authTagLength: 16 });
  cipher.setAAD(additionalData(base));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    ...base,
    tag: cipher.getAuthTag().toString('base64'),
    check: checkValue(keys).toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** Whether derived keys match the file's check value (the passphrase or identity is the right one). */
export function vaultKeysMatch(file: VaultFile, keys: VaultKeys): boolean {
  const expected = Buffer.from(file.check, 'base64');
  const actual = checkValue(keys);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The outcome of decrypting: the plaintext, or why it failed (`corrupt` means authentication failed). */
export type DecryptResult = { ok: true; plaintext: Buffer } | { ok: false; reason: string };

/** Decrypts a vault file's ciphertext with keys already known to match. */
export function decryptVault(file: VaultFile, keys: VaultKeys): DecryptResult {
  const iv = Buffer.from(file.iv, 'base64');
  const tag = Buffer.from(file.tag, 'base64');
  if (iv.length !== 12) return { ok: false, reason: 'the IV is not 12 bytes' };
  if (tag.length !== 16) return { ok: false, reason: 'the authentication tag is not 16 bytes' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.encryptionKey, iv, { authTagLength: 16 });
    decipher.setAAD(additionalData(file));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(file.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return { ok: true, plaintext };
  } catch {
    return { ok: false, reason: 'authentication failed (the ciphertext, its tag or its header was altered)' };
  }
}
