const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;

/**
 * A tool-call id as Mistral accepts it: nine letters or digits. An id already in that form is kept; any other (e.g.
 * `call_...` or `toolu_...` from another provider) becomes nine characters of a 64-bit FNV-1a hash of it, so a call
 * and the result that answers it translate alike, and the unified history keeps the original id.
 */
export function toMistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(id)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  let text = '';
  for (let index = 0; index < 9; index++) {
    text += ALPHABET[Number(hash % 62n)];
    hash /= 62n;
  }
  return text;
}
