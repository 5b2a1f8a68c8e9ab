/**
 * Secrets: how a key is named once it leaves the pool. Nothing outside the pool ever sees a secret; it sees the
 * key's id, its masked form, or its fingerprint. Pure JavaScript so it runs on every runtime (no `node:crypto`).
 */

/**
 * SHA-256's constants (FIPS 180-4, 4.2.2 and 5.3.3): 64 round constants, the first 32 bits of the fractional parts of
 * the cube roots of the first 64 primes, then the 8 initial hash words, the same of the square roots of the first 8.
 * Computed on the first hash rather than shipped as a table of 72 numbers (which gzip cannot shrink);
 * `sha256.property.test.ts` checks every hash against `node:crypto`.
 */
let constants: Uint32Array | undefined;

function computeConstants(): Uint32Array {
  const table = new Uint32Array(72);
  for (let candidate = 2, found = 0; found < 64; candidate++) {
    let prime = true;
    for (let divisor = 2; divisor * divisor <= candidate; divisor++)
      if (candidate % divisor === 0) prime = false;
    if (!prime) continue;
    if (found < 8) table[64 + found] = ((Math.sqrt(candidate) % 1) * 2 ** 32) >>> 0;
    table[found++] = ((Math.cbrt(candidate) % 1) * 2 ** 32) >>> 0;
  }
  constants = table;
  return table;
}

const encoder = new TextEncoder();
/** Scratch space reused by every hash (hashing is synchronous, so one buffer serves all calls). */
let scratch = new Uint8Array(256);
const schedule = new Uint32Array(64);
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Writes `input` as UTF-8 into the scratch buffer (grown as needed) and returns its byte length. */
function encodeToScratch(input: string): number {
  const length = input.length;
  let ascii = true;
  for (let i = 0; i < length; i++) {
    if (input.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  const needed = (ascii ? length : length * 3) + 72;
  if (scratch.length < needed) scratch = new Uint8Array(needed * 2);
  if (!ascii) return encoder.encodeInto(input, scratch).written;
  for (let i = 0; i < length; i++) scratch[i] = input.charCodeAt(i);
  return length;
}

/**
 * SHA-256 of a UTF-8 string, as lower-case hex. Synchronous and dependency-free; it allocates only its result, so a
 * pool of 100,000 keys fingerprints them in a fraction of a second.
 */
export function sha256Hex(input: string): string {
  const h = sha256Words(input);
  let hex = '';
  for (let i = 0; i < 8; i++) hex += hexWord(h[i]!);
  return hex;
}

const digest = new Int32Array(8);

/** The eight 32-bit words of the SHA-256 of `input` (UTF-8), in a buffer the next call overwrites. */
function sha256Words(input: string): Int32Array {
  const byteLength = encodeToScratch(input);
  const paddedLength = ((byteLength + 9 + 63) >> 6) << 6;
  const data = scratch;
  data.fill(0, byteLength, paddedLength);
  data[byteLength] = 0x80;
  // The message's length in bits, big-endian, in the last 8 bytes (`fill` above zeroed them).
  for (let bits = byteLength * 8, at = paddedLength - 1; bits > 0; bits = Math.floor(bits / 256), at--)
    data[at] = bits % 256;

  const w = schedule;
  const k = constants ?? computeConstants();
  const state = digest;
  state.set(k.subarray(64));
  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let i = 0; i < 16; i++) {
      const at = offset + i * 4;
      w[i] = (data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    let e = state[4]!;
    let f = state[5]!;
    let g = state[6]!;
    let h = state[7]!;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choice = (e & f) ^ (~e & g);
      const t1 = (h + s1 + choice + k[i]! + w[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0]! += a;
    state[1]! += b;
    state[2]! += c;
    state[3]! += d;
    state[4]! += e;
    state[5]! += f;
    state[6]! += g;
    state[7]! += h;
  }
  return digest;
}

/** A 32-bit word (signed or not) as 8 hex digits. */
function hexWord(word: number): string {
  return HEX[word >>> 24]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
}

/**
 * A stable, non-reversible name for a secret: the first 16 hex characters of its SHA-256.
 * Used where a key must be named across processes (Redis, the emulator's request log) without its id.
 */
export function fingerprintSecret(secret: string): string {
  const h = sha256Words(secret);
  return hexWord(h[0]!) + hexWord(h[1]!);
}

/**
 * The masked form of a secret, safe to show a person: `sk-p...N5g4` (first 4 and last 4 characters) for secrets of
 * 16 characters or more, `ab...yz` for 8 to 15, and `***` below that, so a short secret is never mostly shown.
 */
export function maskSecret(secret: string): string {
  if (secret.length >= 16) return `${secret.slice(0, 4)}...${secret.slice(-4)}`;
  if (secret.length >= 8) return `${secret.slice(0, 2)}...${secret.slice(-2)}`;
  return '***';
}

/**
 * Replaces every occurrence of the given secrets in a text with their masked form. Used to scrub error messages,
 * URLs and headers before anything leaves the pool.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    if (out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
  }
  return out;
}
