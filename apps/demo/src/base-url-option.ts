import type { ProviderId } from '@keypool/keystore';
import { CliError } from './cli-error';
import { parseProvider } from './providers';

/**
 * Parses `--base-url` values (`openai=http://127.0.0.1:8787/openai/v1`) into a base URL per provider. A bad
 * provider or URL is a usage error that names the value.
 */
export function parseBaseUrls(values: readonly string[] = []): Partial<Record<ProviderId, string>> {
  const result: Partial<Record<ProviderId, string>> = {};
  for (const value of values) {
    const separator = value.indexOf('=');
    if (separator <= 0)
      throw CliError.usage(`--base-url "${value}": expected <provider>=<url>`, 'bad_base_url');
    const provider = parseProvider(value.slice(0, separator));
    const url = value.slice(separator + 1).trim();
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw CliError.usage(`--base-url ${provider}: "${url}" is not a URL`, 'bad_base_url');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw CliError.usage(`--base-url ${provider}: only http and https URLs are allowed`, 'bad_base_url');
    result[provider] = url;
  }
  return result;
}
