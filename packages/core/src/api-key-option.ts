import type { KeyConfig } from './config';
import { ConfigError } from './errors';
import { headerUnsafe } from './header-unsafe';

/** The id the key given as `apiKey` gets in events, snapshots and errors. */
export const API_KEY_ID = 'apiKey';

/**
 * Pool options that give their one key as `apiKey`, the way the SDKs take it (`new OpenAI({ apiKey })`), instead of
 * a `keys` list: `createOpenAIPool({ apiKey: process.env.OPENAI_API_KEY })`. The key's id is `apiKey`. A pool of one
 * key still classifies errors, waits out short retry-afters and feeds a fallback chain; add keys to rotate.
 */
export type WithApiKey<TOptions extends { keys: readonly KeyConfig[] }> =
  | TOptions
  | (Omit<TOptions, 'keys'> & {
      /** The secret of the pool's only key (typed to take `process.env.X`: an unset variable fails clearly). */
      apiKey: string | undefined;
      keys?: undefined;
    });

/**
 * Turns options that give `apiKey` into options with `keys` (one key, id `apiKey`); options with `keys` come back as
 * they are. Nothing of the secret is ever quoted.
 *
 * @throws {ConfigError} when both `apiKey` and `keys` are given, or `apiKey` is unset, empty or unfit for a header.
 */
export function apiKeyAsKeys<TOptions extends { keys: readonly KeyConfig[] }>(
  options: WithApiKey<TOptions>,
): TOptions {
  if (!options || typeof options !== 'object' || !('apiKey' in options)) return options as TOptions;
  const { apiKey, keys, ...rest } = options as { apiKey: unknown; keys?: unknown };
  const problem =
    keys !== undefined
      ? 'give keys or apiKey, not both (put every key in keys)'
      : apiKey === undefined
        ? 'apiKey is undefined: is its environment variable set? Give the key, or keys: [...]'
        : typeof apiKey !== 'string'
          ? 'apiKey must be a string'
          : apiKey.trim() === ''
            ? 'apiKey must not be empty or whitespace'
            : apiKey !== apiKey.trim()
              ? 'apiKey must not start or end with whitespace'
              : headerUnsafe(apiKey) && `apiKey ${headerUnsafe(apiKey)}`;
  if (problem) throw new ConfigError('pool options', [{ path: 'apiKey', message: problem }]);
  const key: KeyConfig = { id: API_KEY_ID, secret: apiKey as string };
  return { ...rest, keys: [key] } as unknown as TOptions;
}
