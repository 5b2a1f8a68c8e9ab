import { headerUnsafe } from '@keypool/core';
import { type EnvKeyIssue, EnvKeysError } from './env-keys-error';
import { emptyProviderKeys, type KeyConfig, type ProviderKeys } from './key-config';
import { protectSecret } from './protect-secret';
import { PROVIDER_IDS, type ProviderId } from './provider-id';

/** The variable-name prefixes read for each provider, in priority order. */
export const ENV_KEY_PREFIXES: Readonly<Record<ProviderId, readonly string[]>> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  mistral: ['MISTRAL_API_KEY'],
};

interface EnvCandidate {
  variable: string;
  /** Sort order: prefix priority, then single (0), numbered (1), list (2), then the number. */
  order: [number, number, number];
  list: boolean;
}

function candidatesFor(provider: ProviderId, names: string[]): EnvCandidate[] {
  const candidates: EnvCandidate[] = [];
  ENV_KEY_PREFIXES[provider].forEach((prefix, prefixIndex) => {
    const single = new RegExp(`^${prefix}(?:_?(\\d+))?$`);
    for (const variable of names) {
      const match = single.exec(variable);
      if (match) {
        const number = match[1] === undefined ? 0 : Number(match[1]);
        candidates.push({
          variable,
          order: [prefixIndex, match[1] === undefined ? 0 : 1, number],
          list: false,
        });
      } else if (variable === `${prefix}S`) {
        candidates.push({ variable, order: [prefixIndex, 2, 0], list: true });
      }
    }
  });
  return candidates.sort(
    (a, b) =>
      a.order[0] - b.order[0] ||
      a.order[1] - b.order[1] ||
      a.order[2] - b.order[2] ||
      a.variable.localeCompare(b.variable),
  );
}

/**
 * Reads API keys from environment variables, following the conventions people already use:
 * `OPENAI_API_KEY`, `OPENAI_API_KEY2`, `OPENAI_API_KEY_3`, ... and `OPENAI_API_KEYS=k1,k2,k3`; the same for
 * `ANTHROPIC_`, `GEMINI_` (and `GOOGLE_API_KEY` for Gemini) and `MISTRAL_`. Values are trimmed. Ids are stable and
 * derived from the variable: `env:OPENAI_API_KEY_3`, `env:OPENAI_API_KEYS#2` (1-based). A secret seen twice for one
 * provider becomes one key (the first id wins).
 *
 * @throws {EnvKeysError} when a key variable is set but empty, or a list has an empty item; the error names every
 *   such variable and never a value.
 */
export function keysFromEnv(env: Record<string, string | undefined> = process.env): ProviderKeys {
  const result = emptyProviderKeys();
  const issues: EnvKeyIssue[] = [];
  const names = Object.keys(env).filter((name) => env[name] !== undefined);

  for (const provider of PROVIDER_IDS) {
    const seen = new Set<string>();
    const add = (id: string, secret: string) => {
      const unsafe = headerUnsafe(secret);
      if (unsafe) {
        issues.push({
          variable: id.slice('env:'.length),
          message: `key "${id}": the secret ${unsafe}; a secret is sent in an HTTP header, which cannot carry it`,
        });
        return;
      }
      if (seen.has(secret)) return;
      seen.add(secret);
      result[provider].push(protectSecret<KeyConfig>({ id, secret }, 'key'));
    };
    for (const candidate of candidatesFor(provider, names)) {
      const raw = env[candidate.variable] ?? '';
      if (raw.trim() === '') {
        issues.push({ variable: candidate.variable, message: 'is set but empty' });
        continue;
      }
      if (!candidate.list) {
        add(`env:${candidate.variable}`, raw.trim());
        continue;
      }
      const items = raw.split(/[,\n]/).map((item) => item.trim());
      items.forEach((item, index) => {
        if (item === '') {
          issues.push({
            variable: candidate.variable,
            message: `item ${index + 1} of ${items.length} is empty (a stray comma?)`,
          });
        } else {
          add(`env:${candidate.variable}#${index + 1}`, item);
        }
      });
    }
  }
  if (issues.length > 0) throw new EnvKeysError(issues);
  return result;
}
