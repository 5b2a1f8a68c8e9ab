import type { ProviderName } from './categories';

/** How a model can go on with a broken answer: continue an assistant prefill, or only restart the answer. */
export type ContinuationMethod = 'prefill' | 'restart';

/** Which model a continuation goes to. */
export interface StreamTarget {
  provider: ProviderName;
  model: string;
  /** The fallback chain's step name, when a chain serves it. */
  step?: string;
}

/**
 * One row of the capability table. `model` is an exact name, a glob with `*` (`claude-haiku-4-5*`) or a RegExp;
 * `provider` is a provider name or `*`. The first matching row wins.
 */
export interface ContinuationRule {
  provider: ProviderName | '*';
  model: string | RegExp;
  method: ContinuationMethod;
  /** Why the row is there (documentation only). */
  note?: string;
}

/**
 * The built-in table. Anthropic removed prefill from Claude Opus 4.6, Sonnet 4.6 and later (a 400 "does not support
 * assistant message prefill") while Haiku 4.5 and earlier models continue it; an unknown Claude model restarts, since
 * new models reject it. Mistral continues an assistant message marked `prefix: true`; Gemini continues trailing
 * `model` content; OpenAI chat has no prefill.
 */
export const DEFAULT_CONTINUATION_RULES: readonly ContinuationRule[] = /* @__PURE__ */ Object.freeze([
  {
    provider: 'anthropic',
    model: /^claude-(opus|sonnet|haiku)-(4-[6-9]|[5-9])/,
    method: 'restart',
    note: 'Claude 4.6 and later reject a trailing assistant message',
  },
  { provider: 'anthropic', model: /^claude-haiku-4-5/, method: 'prefill' },
  { provider: 'anthropic', model: /^claude-(opus|sonnet)-4(-[0-5])?(-\d{8})?$/, method: 'prefill' },
  { provider: 'anthropic', model: /^claude-3/, method: 'prefill' },
  {
    provider: 'anthropic',
    model: '*',
    method: 'restart',
    note: 'unknown Claude models: assume the newest rules',
  },
  { provider: 'mistral', model: '*', method: 'prefill', note: 'assistant message with prefix: true' },
  { provider: 'gemini', model: '*', method: 'prefill', note: 'trailing model-role content' },
  { provider: 'openai', model: '*', method: 'restart', note: 'chat completions has no prefill' },
  { provider: '*', model: '*', method: 'restart' },
] satisfies ContinuationRule[]);

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function matches(rule: ContinuationRule, target: StreamTarget): boolean {
  if (rule.provider !== '*' && rule.provider !== target.provider) return false;
  const pattern = typeof rule.model === 'string' ? globToRegExp(rule.model) : rule.model;
  return pattern.test(target.model);
}

/**
 * The capability table in force: the user's rules first, then {@link DEFAULT_CONTINUATION_RULES}, plus what was
 * learned at run time (a model that rejected a prefill is asked to restart from then on).
 */
export class ContinuationCapabilities {
  private readonly rules: readonly ContinuationRule[];
  private readonly learned = new Map<string, ContinuationMethod>();

  constructor(rules: readonly ContinuationRule[] = []) {
    this.rules = [...rules, ...DEFAULT_CONTINUATION_RULES];
  }

  /** How `target` continues a broken answer. */
  methodFor(target: StreamTarget): ContinuationMethod {
    const learned = this.learned.get(`${target.provider}\u0000${target.model}`);
    if (learned) return learned;
    return this.rules.find((rule) => matches(rule, target))?.method ?? 'restart';
  }

  /** Records that `target` must restart (e.g. after it rejected a prefill). */
  learnRestart(target: StreamTarget): void {
    this.learned.set(`${target.provider}\u0000${target.model}`, 'restart');
  }
}
