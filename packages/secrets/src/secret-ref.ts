import { SecretStoreError } from './secret-store-error';

/** A secret reference split into the store's name for the secret and an optional JSON field. */
export interface SecretRef {
  /** The store's name for the secret (a Vault path, an AWS secret id, an Azure or Google secret name). */
  readonly name: string;
  /** The field to take when the secret is a JSON object (`name#field`). */
  readonly field: string | undefined;
}

/** Splits `name#field` (the field is optional). */
export function parseSecretRef(ref: string): SecretRef {
  const at = ref.lastIndexOf('#');
  return at < 0 ? { name: ref, field: undefined } : { name: ref.slice(0, at), field: ref.slice(at + 1) };
}

/**
 * The secret a reference names inside a value: the `field` of a JSON object, the only string field of a JSON object
 * with one field (a Vault entry `{ "api_key": "..." }`), or the whole text. Throws a `SecretStoreError` (naming the
 * fields, never their values) when the field is missing or the result is empty.
 */
export function pickSecret(value: string, ref: SecretRef, store: string): string {
  const fail = (message: string) =>
    new SecretStoreError({ store, secretName: ref.name, reason: 'invalid' }, message);
  let parsed: unknown;
  if (value.trimStart().startsWith('{')) {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const fields = parsed as Record<string, unknown>;
    const names = Object.keys(fields);
    const field = ref.field ?? (names.length === 1 ? names[0] : undefined);
    if (field === undefined)
      throw fail(
        `the secret is a JSON object with fields ${names.join(', ')}: name one as "${ref.name}#field"`,
      );
    const picked = fields[field];
    if (typeof picked !== 'string' || picked.trim() === '')
      throw fail(`field "${field}" is missing or not a non-empty string (fields: ${names.join(', ')})`);
    return picked.trim();
  }
  if (ref.field !== undefined)
    throw fail(`field "${ref.field}" was asked for, but the secret is not a JSON object`);
  if (value.trim() === '') throw fail('the secret is empty');
  return value.trim();
}
