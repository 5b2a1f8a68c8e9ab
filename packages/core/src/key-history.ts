import type { FailureRecord } from './failure-history';
import { maskKeyLike } from './mask-key-like';

/** Failures a pool keeps per key when `historySize` is not given. */
export const DEFAULT_HISTORY_SIZE = 20;

/** The longest message a history entry keeps, in characters. */
export const HISTORY_MESSAGE_LENGTH = 300;

/** Quoted spans at least this long are taken for the caller's own text (a prompt, a document) and left out. */
const QUOTED_TEXT_LENGTH = 32;
/** A JSON field whose value is the provider's own words (kept): `"message": "..."`. */
const PROVIDER_FIELD = String.raw`(?<!"(?:message|error|detail|details|status|type|code|reason|title)"\s*:\s*)`;
const REMOVED = '[quoted text removed]';
const QUOTED: readonly [RegExp, string][] = [
  [new RegExp(`${PROVIDER_FIELD}"[^"\n]{${QUOTED_TEXT_LENGTH},}"`, 'g'), `"${REMOVED}"`],
  [new RegExp(`\`[^\`\n]{${QUOTED_TEXT_LENGTH},}\``, 'g'), `\`${REMOVED}\``],
  [new RegExp(`“[^”\n]{${QUOTED_TEXT_LENGTH},}”`, 'g'), `“${REMOVED}”`],
  // A single quote opens only after a non-letter, so "can't ... model's" is not taken for a quotation.
  [new RegExp(`(^|[^A-Za-z])'[^'\n]{${QUOTED_TEXT_LENGTH},}'(?![A-Za-z])`, 'g'), `$1'${REMOVED}'`],
];

/**
 * A failure message as a history keeps it: anything key-like masked, long quoted spans (where a provider echoes the
 * caller's prompt or content back) replaced by `[quoted text removed]` (a JSON `"message"` value, the provider's own
 * words, is kept), and cut to `maxLength` characters. The engine already removed the pool's own secrets; this keeps
 * what goes to a shared store or a file free of the caller's text.
 */
export function historyMessage(message: string, maxLength = HISTORY_MESSAGE_LENGTH): string {
  let text = maskKeyLike(message);
  for (const [pattern, replacement] of QUOTED) text = text.replace(pattern, replacement);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** The identity two copies of one failure share (this process's and the shared store's). */
function identity(record: FailureRecord): string {
  return `${record.at}|${record.category}|${record.status ?? ''}|${record.code ?? ''}|${record.scope ?? ''}|${record.message}`;
}

/**
 * The last failures of each key of one pool, bounded per key (`size` entries, the oldest dropped first). The pool
 * fills it from its own failures and merges in what a shared store holds (other processes' failures), so a snapshot
 * shows why and when a key was cooled or disabled, even long ago.
 */
export class KeyHistoryBook {
  readonly size: number;
  private readonly byKey = new Map<string, FailureRecord[]>();

  /** @param size Failures kept per key (an integer of at least 1). */
  constructor(size: number) {
    this.size = size;
  }

  /** Adds one failure to a key's history. */
  push(keyId: string, record: FailureRecord): void {
    let list = this.byKey.get(keyId);
    if (!list) {
      list = [];
      this.byKey.set(keyId, list);
    }
    list.push(record);
    if (list.length > this.size) list.splice(0, list.length - this.size);
  }

  /**
   * Merges failures from elsewhere (a shared store, a saved state) into a key's history: the union in time order,
   * each failure once, the newest `size` kept.
   */
  merge(keyId: string, records: readonly FailureRecord[]): void {
    if (records.length === 0) return;
    const mine = this.byKey.get(keyId) ?? [];
    const seen = new Set<string>();
    const union: FailureRecord[] = [];
    for (const record of [...mine, ...records]) {
      if (!isFailureRecord(record)) continue;
      const id = identity(record);
      if (seen.has(id)) continue;
      seen.add(id);
      union.push(record);
    }
    union.sort((a, b) => a.at - b.at);
    this.byKey.set(keyId, union.slice(-this.size));
  }

  /** One key's failures, oldest first (a copy; empty when it has none). */
  of(keyId: string): FailureRecord[] {
    return this.byKey.get(keyId)?.slice() ?? [];
  }

  /** Forgets a key (it left the pool). */
  forget(keyId: string): void {
    this.byKey.delete(keyId);
  }
}

/** True for something shaped like a failure record (a shared store or a file may hold anything). */
export function isFailureRecord(value: unknown): value is FailureRecord {
  const record = value as Partial<FailureRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.at === 'number' &&
    Number.isFinite(record.at) &&
    typeof record.category === 'string' &&
    typeof record.message === 'string'
  );
}
