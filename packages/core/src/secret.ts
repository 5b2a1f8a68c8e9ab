/**
 * Secrets: how a key is named once it leaves the pool. Nothing outside the pool ever sees a secret; it sees the
 * key's id, its masked form, or its fingerprint. Pure JavaScript so it runs on every runtime (no `node:crypto`).
 */

/**
 * SHA-256's round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
 * (FIPS 180-4, 4.2.2). Computed on the first hash rather than shipped as a table of 64 numbers (which gzip cannot
 * shrink); `sha256.property.test.ts` checks every hash against `node:crypto`.
 */
let roundConstants: Uint32Array | undefined;

function computeRoundConstants(): Uint32Array {
  const table = new Uint32Array(64);
  for (let candidate = 2, found = 0; found < 64; candidate++) {
    let prime = true;
    for (let divisor = 2; divisor * divisor <= candidate; divisor++)
      if (candidate % divisor === 0) prime = false;
    if (prime) table[found++] = ((Math.cbrt(candidate) % 1) * 2 ** 32) >>> 0;
  }
  roundConstants = table;
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
  const bitLength = byteLength * 8;
  const high = Math.floor(bitLength / 0x100000000);
  const low = bitLength >>> 0;
  data[paddedLength - 8] = high >>> 24;
  data[paddedLength - 7] = (high >>> 16) & 0xff;
  data[paddedLength - 6] = (high >>> 8) & 0xff;
  data[paddedLength - 5] = high & 0xff;
  data[paddedLength - 4] = low >>> 24;
  data[paddedLength - 3] = (low >>> 16) & 0xff;
  data[paddedLength - 2] = (low >>> 8) & 0xff;
  data[paddedLength - 1] = low & 0xff;

  let h0 = 0x6a09e667;
  let h1 = 0xbb67ae85;
  let h2 = 0x3c6ef372;
  let h3 = 0xa54ff53a;
  let h4 = 0x510e527f;
  let h5 = 0x9b05688c;
  let h6 = 0x1f83d9ab;
  let h7 = 0x5be0cd19;
  const w = schedule;
  const k = roundConstants ?? computeRoundConstants();
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
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
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
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  digest[0] = h0;
  digest[1] = h1;
  digest[2] = h2;
  digest[3] = h3;
  digest[4] = h4;
  digest[5] = h5;
  digest[6] = h6;
  digest[7] = h7;
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
