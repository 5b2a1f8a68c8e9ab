import { headerUnsafe } from '@keypool/core';
import { type EnvKeyIssue, EnvKeysError } from './env-keys-error';
import { emptyProviderKeys, type KeyConfig, type ProviderKeys } from './key-config';
import { protectSecret } from './protect-secret';
import { PROVIDER_IDS, type ProviderId } from './provider-id';

/** The variable-name stems read for each provider, in priority order (`CLAUDE_` and `GOOGLE_` are aliases). */
export const ENV_PROVIDER_NAMES: Readonly<Record<ProviderId, readonly string[]>> = {
  openai: ['OPENAI'],
  anthropic: ['ANTHROPIC', 'CLAUDE'],
  gemini: ['GEMINI', 'GOOGLE'],
  mistral: ['MISTRAL'],
  deepseek: ['DEEPSEEK'],
  groq: ['GROQ'],
  openrouter: ['OPENROUTER'],
  together: ['TOGETHER', 'TOGETHER_AI'],
  fireworks: ['FIREWORKS'],
  xai: ['XAI'],
  cerebras: ['CEREBRAS'],
  perplexity: ['PERPLEXITY', 'PPLX'],
  azure: ['AZURE_OPENAI'],
};

/** The `<NAME>_API_KEY` prefixes read for each provider, in priority order: its stems with `_API_KEY`. */
export const ENV_KEY_PREFIXES: Readonly<Record<ProviderId, readonly string[]>> = Object.fromEntries(
  PROVIDER_IDS.map((provider) => [provider, ENV_PROVIDER_NAMES[provider].map((stem) => `${stem}_API_KEY`)]),
) as Record<ProviderId, string[]>;

/** Kinds of variable, in the order their keys join the pool. */
const Kind = { Single: 0, Numbered: 1, List: 2, Named: 3 } as const;

interface EnvCandidate {
  variable: string;
  /** Sort order: backup (last), name priority, kind, then the number. */
  order: [number, number, number, number];
  list: boolean;
}

function candidatesFor(provider: ProviderId, names: string[]): EnvCandidate[] {
  const candidates: EnvCandidate[] = [];
  ENV_PROVIDER_NAMES[provider].forEach((stem, stemIndex) => {
    const single = new RegExp(`^${stem}_API_KEY(?:_?(\\d+))?$`);
    const named = new RegExp(`^${stem}_KEY_[A-Za-z0-9][A-Za-z0-9_-]*$`);
    for (const variable of names) {
      const match = single.exec(variable);
      if (match) {
        const numbered = match[1] !== undefined;
        candidates.push({
          variable,
          order: [0, stemIndex, numbered ? Kind.Numbered : Kind.Single, numbered ? Number(match[1]) : 0],
          list: false,
        });
      } else if (variable === `${stem}_API_KEYS`) {
        candidates.push({ variable, order: [0, stemIndex, Kind.List, 0], list: true });
      } else if (named.test(variable)) {
        candidates.push({ variable, order: [0, stemIndex, Kind.Named, 0], list: false });
      } else if (variable === `${stem}_BACKUP_KEYS`) {
        candidates.push({ variable, order: [1, stemIndex, Kind.List, 0], list: true });
      }
    }
  });
  return candidates.sort(
    (a, b) =>
      a.order[0] - b.order[0] ||
      a.order[1] - b.order[1] ||
      a.order[2] - b.order[2] ||
      a.order[3] - b.order[3] ||
      a.variable.localeCompare(b.variable),
  );
}

/**
 * Reads API keys from environment variables, following the conventions people already use, for each provider
 * stem (`OPENAI`, `ANTHROPIC` or `CLAUDE`, `GEMINI` or `GOOGLE`, `MISTRAL`; the presets' `GROQ`, `DEEPSEEK`...;
 * Azure's `AZURE_OPENAI`; see `ENV_PROVIDER_NAMES`):
 * `OPENAI_API_KEY`; numbered `OPENAI_API_KEY2`, `OPENAI_API_KEY_3`...; the list `OPENAI_API_KEYS=k1,k2`; named
 * `OPENAI_KEY_<id>` (e.g. `OPENAI_KEY_PROD`); and last, after every other key, the list `OPENAI_BACKUP_KEYS`.
 * Values are trimmed. Ids are stable and derived from the variable: `env:OPENAI_API_KEY_3`, `env:OPENAI_KEY_PROD`,
 * `env:OPENAI_API_KEYS#2` (1-based). A secret seen twice for one provider becomes one key (the first id wins).
 *
 * @throws {EnvKeysError} when a key variable is set but empty or a list has an empty item (code `env_empty_value`),
 *   or a value has whitespace or control characters inside (code `env_invalid_value`); the error names every such
 *   variable and never a value.
 */
export function keysFromEnv(env: Record<string, string | undefined> = process.env): ProviderKeys {
  const result = emptyProviderKeys();
  const issues: EnvKeyIssue[] = [];
  let malformed = false;
  const names = Object.keys(env).filter((name) => env[name] !== undefined);

  for (const provider of PROVIDER_IDS) {
    const seen = new Set<string>();
    const add = (id: string, variable: string, secret: string) => {
      const unsafe = headerUnsafe(secret);
      if (unsafe) {
        malformed = true;
        issues.push({
          variable,
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
        add(`env:${candidate.variable}`, candidate.variable, raw.trim());
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
          add(`env:${candidate.variable}#${index + 1}`, candidate.variable, item);
        }
      });
    }
  }
  if (issues.length > 0) throw new EnvKeysError(issues, malformed ? 'env_invalid_value' : 'env_empty_value');
  return result;
}
