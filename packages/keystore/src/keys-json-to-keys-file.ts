import type { KeysFile, KeysFileKey } from './keys-file-schema';
import type { KeysJsonEntry, LoadedKeysJson } from './parse-keys-json';

/** Options of `keysJsonToKeysFile`. */
export interface KeysJsonToKeysFileOptions {
  /**
   * Where each key's secret will come from, as a reference (`vault:openai/prod-1`). Default: none, the secret stays
   * inline (as it is in the keys.json file).
   */
  from?: (entry: KeysJsonEntry) => string;
}

/** Whether a parsed JSON value has the shape of a keys.json file: a list of entries, or `{ "keys": [...] }`. */
export function looksLikeKeysJson(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Array.isArray(record.keys) && !('providers' in record);
}

/**
 * A keys.json file in the keys file's shape: a section per provider whose keys keep their id, their model binding
 * (`model_name` as `models`), limits and tags (as `name=value`); an inactive key is `disabled`. `createFromKeysFile`,
 * `loadKeysFile` and `keypool keys import` read keys.json through it.
 */
export function keysJsonToKeysFile(
  loaded: LoadedKeysJson,
  options: KeysJsonToKeysFileOptions = {},
): KeysFile {
  const providers: NonNullable<KeysFile['providers']> = {};
  for (const entry of loaded.entries) {
    const { key } = entry;
    const out: KeysFileKey = { id: key.id };
    if (options.from) out.from = options.from(entry);
    else out.secret = key.secret;
    if (key.models) out.models = [...key.models];
    if (key.limits?.rpm !== undefined) out.rpm = key.limits.rpm;
    if (key.limits?.tpm !== undefined) out.tpm = key.limits.tpm;
    if (key.limits?.rpd !== undefined) out.rpd = key.limits.rpd;
    if (key.tags) out.tags = [...key.tags];
    if (!entry.active) out.disabled = true;
    const section = providers[entry.provider] ?? { keys: [] };
    section.keys?.push(out);
    providers[entry.provider] = section;
  }
  return { version: 1, providers };
}
