import { headerUnsafe, maskSecret } from '@keypool/core';
import { jsonErrorOffset } from './json-error-offset';
import { emptyProviderKeys, type KeyConfig, type KeyLimits, type ProviderKeys } from './key-config';
import { KeysFileError, type KeysFileIssue } from './keys-file-error';
import { protectSecret } from './protect-secret';
import { type ProviderId, unknownProviderMessage } from './provider-id';

/** Provider names accepted in a `keys.json` entry (case-insensitive), and the provider each one means. */
export const KEYS_JSON_PROVIDER_NAMES: Readonly<Record<string, ProviderId>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  claude: 'anthropic',
  gemini: 'gemini',
  google: 'gemini',
  mistral: 'mistral',
  deepseek: 'deepseek',
  groq: 'groq',
  openrouter: 'openrouter',
  together: 'together',
  together_ai: 'together',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  xai: 'xai',
  cerebras: 'cerebras',
  perplexity: 'perplexity',
  azure: 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
};

/** One entry of a `keys.json` file, read as is. */
export interface KeysJsonEntry {
  provider: ProviderId;
  /**
   * The key in the pool's shape: `key_id` as id, `model_name` as `models` (the key serves that model only), `rpm`/
   * `tpm`/`rpd` as limits, tags as `name=value` strings.
   */
  key: KeyConfig;
  /** `model_name`, when given: the model the key was issued for (and is bound to: `key.models`). */
  model?: string;
  /** `active` (default true): an inactive key is read but left out of `keys`. */
  active: boolean;
  /** `tags` as written (an object of labels). */
  tags: Record<string, string>;
  /** `created_at` as written, when given. */
  createdAt?: string | number;
}

/** A `keys.json` file, read and validated. */
export interface LoadedKeysJson {
  file: string;
  /** Every entry, active or not, in file order. */
  entries: KeysJsonEntry[];
  /** The active keys per provider, in file order: ready for a pool's `keys`. */
  keys: ProviderKeys;
}

const KNOWN_FIELDS = new Set([
  'key_id',
  'api_key',
  'model_name',
  'provider',
  'rpm',
  'tpm',
  'rpd',
  'active',
  'tags',
  'created_at',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readEntry(raw: unknown, path: string, issues: KeysFileIssue[]): KeysJsonEntry | undefined {
  const before = issues.length;
  const problem = (field: string, message: string) => issues.push({ path: `${path}.${field}`, message });
  if (!isRecord(raw)) {
    issues.push({ path, message: 'must be an object with key_id, api_key and provider' });
    return undefined;
  }
  const unknown = Object.keys(raw).filter((field) => !KNOWN_FIELDS.has(field));
  if (unknown.length > 0) {
    const shown = unknown.map((field) => `"${field.length >= 20 ? maskSecret(field) : field}"`).join(', ');
    issues.push({ path, message: `unknown field${unknown.length === 1 ? '' : 's'} ${shown}` });
  }
  const id = raw.key_id;
  if (typeof id !== 'string' || !/^\S(.*\S)?$/.test(id)) {
    problem(
      'key_id',
      id === undefined ? 'is required' : 'must be a non-empty string without outer whitespace',
    );
  }
  const secret = raw.api_key;
  if (typeof secret !== 'string') {
    problem('api_key', secret === undefined ? 'is required' : 'must be a string');
  } else {
    const trimmed = secret.trim();
    const unsafe = trimmed === '' ? 'is empty' : headerUnsafe(trimmed);
    if (unsafe) problem('api_key', trimmed === '' ? 'must not be empty' : `the secret ${unsafe}`);
  }
  const providerName = typeof raw.provider === 'string' ? raw.provider.trim().toLowerCase() : undefined;
  const provider = providerName === undefined ? undefined : KEYS_JSON_PROVIDER_NAMES[providerName];
  if (provider === undefined) {
    problem(
      'provider',
      raw.provider === undefined
        ? 'is required'
        : unknownProviderMessage(String(raw.provider), Object.keys(KEYS_JSON_PROVIDER_NAMES)),
    );
  }
  if (raw.model_name !== undefined && (typeof raw.model_name !== 'string' || raw.model_name.trim() === '')) {
    problem('model_name', 'must be a non-empty string');
  }
  const limits: KeyLimits = {};
  for (const field of ['rpm', 'tpm', 'rpd'] as const) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problem(field, 'must be a non-negative number');
    } else {
      limits[field] = value;
    }
  }
  if (raw.active !== undefined && typeof raw.active !== 'boolean') problem('active', 'must be true or false');
  const tags: Record<string, string> = {};
  if (raw.tags !== undefined && raw.tags !== null) {
    if (!isRecord(raw.tags)) {
      problem('tags', 'must be an object of labels, e.g. {"team": "search"}');
    } else {
      for (const [name, value] of Object.entries(raw.tags)) {
        if (!['string', 'number', 'boolean'].includes(typeof value)) {
          problem(`tags.${name}`, 'must be a string, number or boolean');
        } else {
          tags[name] = String(value);
        }
      }
    }
  }
  const createdAt = raw.created_at;
  if (createdAt !== undefined && createdAt !== null) {
    const valid =
      (typeof createdAt === 'string' || typeof createdAt === 'number') &&
      !Number.isNaN(new Date(createdAt).getTime());
    if (!valid) problem('created_at', 'must be a date (ISO 8601 text or epoch milliseconds)');
  }
  if (issues.length > before) return undefined;

  const key: KeyConfig = { id: id as string, secret: (secret as string).trim() };
  if (typeof raw.model_name === 'string') key.models = [raw.model_name.trim()];
  if (Object.keys(limits).length > 0) key.limits = limits;
  const tagList = Object.entries(tags).map(([name, value]) => `${name}=${value}`);
  if (tagList.length > 0) key.tags = tagList;
  return {
    provider: provider as ProviderId,
    key: protectSecret(key, 'key'),
    ...(typeof raw.model_name === 'string' ? { model: raw.model_name.trim() } : {}),
    active: raw.active !== false,
    tags,
    ...(typeof createdAt === 'string' || typeof createdAt === 'number' ? { createdAt } : {}),
  };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // The engine's message quotes the text around the fault, which may be a secret: report only the offset.
    const offset = jsonErrorOffset(text);
    throw new KeysFileError('keys_file_invalid', file, [
      { path: '(root)', message: `not valid JSON${offset === undefined ? '' : ` (at character ${offset})`}` },
    ]);
  }
}

/**
 * Reads the `keys.json` format many teams already keep: a list (or `{ "keys": [...] }`) of entries with `key_id`,
 * `api_key`, `provider` (`openai`, `anthropic`/`claude`, `gemini`/`google`, `mistral`), and optionally `model_name`,
 * `rpm`, `tpm`, `rpd`, `active`, `tags` (an object) and `created_at`. Accepts the file's text or its parsed value.
 * A key with a `model_name` is bound to that model (`models: [model_name]`), like any key bound to models.
 * Secrets are trimmed, checked (no whitespace or control characters inside) and masked in JSON and inspect output.
 *
 * @throws {KeysFileError} `keys_file_invalid` listing every problem as `file: keys[2].rpm: what is wrong`, never a
 *   secret.
 */
export function parseKeysJson(input: string | unknown, options: { file?: string } = {}): LoadedKeysJson {
  const file = options.file ?? 'keys.json';
  const value = typeof input === 'string' ? parseJson(input, file) : input;
  const list = Array.isArray(value) ? value : isRecord(value) ? value.keys : undefined;
  if (!Array.isArray(list)) {
    throw new KeysFileError('keys_file_invalid', file, [
      { path: '(root)', message: 'must be a list of keys, or an object with a "keys" list' },
    ]);
  }
  const prefix = Array.isArray(value) ? '' : 'keys';
  const issues: KeysFileIssue[] = [];
  const entries: KeysJsonEntry[] = [];
  const firstIndex = new Map<string, number>();
  list.forEach((raw, index) => {
    const entry = readEntry(raw, `${prefix}[${index}]`, issues);
    if (entry === undefined) return;
    const scoped = `${entry.provider}/${entry.key.id}`;
    const earlier = firstIndex.get(scoped);
    if (earlier !== undefined) {
      issues.push({
        path: `${prefix}[${index}].key_id`,
        message: `duplicate key id "${entry.key.id}" for ${entry.provider} (also at ${prefix}[${earlier}])`,
      });
      return;
    }
    firstIndex.set(scoped, index);
    entries.push(entry);
  });
  if (issues.length > 0) throw new KeysFileError('keys_file_invalid', file, issues);
  const keys = emptyProviderKeys();
  for (const entry of entries) if (entry.active) keys[entry.provider].push(entry.key);
  return { file, entries, keys };
}
