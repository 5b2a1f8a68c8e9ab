import { scrubSecrets } from '@keypool/core';
import type { ProviderId, SecretRefContext, SecretSource } from '@keypool/keystore';

/** A key whose secret source failed on a re-read, or worked again after failing. */
export interface SecretRefreshReport {
  provider: ProviderId;
  keyId: string;
  /** The reference in the file, `scheme:name` (a name, never a secret). */
  ref: string;
  /** Failed reads in a row (for a recovery: how many there were). */
  failures: number;
  /** What went wrong, scrubbed of every secret this keypool knows. */
  message?: string;
}

/**
 * Keeps each keys-file key's last good secret, per key and reference, so a store that fails on a re-read does not take
 * the key away: the source is asked again with `refresh: true`, and when it throws, the last good secret is used and
 * the failure reported (`onFailure`); the first good read after reports a recovery. A key never read before has no
 * last good secret: its failure stays an error (the file cannot be applied).
 */
export class LastGoodSecrets {
  readonly #good = new Map<string, string>();
  readonly #failures = new Map<string, number>();
  /** The keys read since the last `wrap`: after a good read, the others (gone from the file) are forgotten. */
  readonly #read = new Set<string>();

  constructor(
    private readonly onFailure: (report: SecretRefreshReport) => void,
    private readonly onRecovery: (report: SecretRefreshReport) => void,
  ) {}

  /** The sources as they are read on a re-read: each one guarded by the last good secrets. */
  wrap(sources: readonly SecretSource[]): SecretSource[] {
    this.#read.clear();
    return sources.map((source) => ({
      scheme: source.scheme,
      ...(source.refreshMs === undefined ? {} : { refreshMs: source.refreshMs }),
      resolve: (reference: string, context?: SecretRefContext) => this.#resolve(source, reference, context),
    }));
  }

  /** Forgets the secrets of keys the last read did not ask for (removed from the file, or their reference changed). */
  forgetUnread(): void {
    for (const slot of [...this.#good.keys()])
      if (!this.#read.has(slot)) {
        this.#good.delete(slot);
        this.#failures.delete(slot);
      }
  }

  async #resolve(
    source: SecretSource,
    reference: string,
    context: SecretRefContext | undefined,
  ): Promise<string> {
    const ref = `${source.scheme}:${reference}`;
    const slot = `${context?.provider}\u0000${context?.keyId}\u0000${ref}`;
    const where = { provider: context?.provider as ProviderId, keyId: context?.keyId ?? '', ref };
    this.#read.add(slot);
    const last = this.#good.get(slot);
    let secret: string;
    try {
      secret = await source.resolve(reference, { ...context, refresh: last !== undefined });
      if (typeof secret !== 'string' || secret.trim() === '')
        throw new Error('the source returned an empty secret');
    } catch (error) {
      if (last === undefined) throw error;
      const failures = (this.#failures.get(slot) ?? 0) + 1;
      this.#failures.set(slot, failures);
      const raw = error instanceof Error ? error.message : String(error);
      this.onFailure({ ...where, failures, message: scrubSecrets(raw, [...this.#good.values()]) });
      return last;
    }
    this.#good.set(slot, secret);
    const failed = this.#failures.get(slot);
    if (failed !== undefined) {
      this.#failures.delete(slot);
      this.onRecovery({ ...where, failures: failed });
    }
    return secret;
  }
}
