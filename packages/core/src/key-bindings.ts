import type { PoolKey } from './pool-key';
import type { SelectableKey } from './selectors';

/** Tells whether a model name is allowed by a key's `models` list. */
export type ModelMatcher = (model: string) => boolean;

/**
 * Compiles a key's `models` list into one test. Each entry is a model name, matched exactly, or a pattern in which
 * `*` stands for any run of characters (`gpt-4o*`, `claude-*-4*`, `*`).
 */
export function compileModelPatterns(patterns: readonly string[]): ModelMatcher {
  const exact = new Set<string>();
  const wildcards: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern === '*') return () => true;
    if (!pattern.includes('*')) {
      exact.add(pattern);
      continue;
    }
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    wildcards.push(new RegExp(`^${source}$`));
  }
  return (model) => exact.has(model) || wildcards.some((pattern) => pattern.test(model));
}

/** Where a key stands in the `priority` strategy's order: a primary first, then by priority, then by pool order. */
export interface KeyRanking {
  /** How many keys have a finite rank (a priority, or the primary). 0: every key ranks by pool order alone. */
  readonly ranked: number;
  /** The key's rank: lower goes first; `-Infinity` for the primary, `+Infinity` for a key without a priority. */
  rank(key: SelectableKey): number;
  /**
   * Changes whenever a rank may have changed (a key joined, left or changed; a new primary). A ranking without it is
   * read key by key on every pick.
   */
  readonly version?: number;
}

/**
 * What a pool knows about its keys beyond their secret and limits: the models each key may serve (`models`), its
 * priority tier (`priority`), and the primary key (`setPrimaryKey`). Model bindings are decided when a key joins a
 * scope's index or an index is built, so selection itself reads no more than it did before.
 */
export class KeyBindings implements KeyRanking {
  private readonly matchers = new Map<string, { patterns: readonly string[]; matches: ModelMatcher }>();
  private readonly priorities = new Map<string, number>();
  private primaryId: string | undefined;
  /** Per scope: how many keys allow it, and the key set version it was counted for. */
  private readonly members = new Map<string, { version: number; count: number }>();
  private changes = 0;

  /** Changes whenever a key joined, left or changed, or the primary changed. */
  get version(): number {
    return this.changes;
  }

  /** The key `setPrimaryKey` named, if it is still in the pool. */
  get primary(): string | undefined {
    return this.primaryId;
  }

  set primary(id: string | undefined) {
    if (id === this.primaryId) return;
    this.changes++;
    this.primaryId = id;
  }

  /** The number of keys bound to some models: when 0, every key serves every model. */
  get modelBound(): number {
    return this.matchers.size;
  }

  get ranked(): number {
    return this.priorities.size + (this.primary === undefined ? 0 : 1);
  }

  /** Records a key's models and priority (called when it joins the pool, and again when its config changes). */
  set(key: PoolKey, config: { models?: readonly string[] | undefined; priority?: number | undefined }): void {
    this.changes++;
    if (config.models !== undefined && config.models.length > 0)
      this.matchers.set(key.id, {
        patterns: [...config.models],
        matches: compileModelPatterns(config.models),
      });
    else this.matchers.delete(key.id);
    if (config.priority !== undefined) this.priorities.set(key.id, config.priority);
    else this.priorities.delete(key.id);
  }

  /** The model patterns of a key, if it is bound to some models. */
  modelsOf(key: PoolKey): readonly string[] | undefined {
    return this.matchers.get(key.id)?.patterns;
  }

  /** The priority of a key, if it has one. */
  priorityOf(id: string): number | undefined {
    return this.priorities.get(id);
  }

  /**
   * True when the key may serve calls of this scope. In a pool with model-bound keys a scope is the call's model
   * itself (see `PoolCore.scopeName`); `*` (a call that names no model: listing models, files) allows every key.
   */
  allows(key: PoolKey, scope: string): boolean {
    if (scope === '*') return true;
    const bound = this.matchers.get(key.id);
    return bound === undefined || bound.matches(scope);
  }

  /** How many of `keys` allow `scope`; counted again only after a key joined, left or changed. */
  countAllowing(scope: string, keys: Iterable<PoolKey>): number {
    const cached = this.members.get(scope);
    if (cached && cached.version === this.changes) return cached.count;
    let count = 0;
    for (const key of keys) if (this.allows(key, scope)) count++;
    this.members.set(scope, { version: this.changes, count });
    return count;
  }

  rank(key: SelectableKey): number {
    if (key.id === this.primary) return Number.NEGATIVE_INFINITY;
    return this.priorities.get(key.id) ?? Number.POSITIVE_INFINITY;
  }
}
