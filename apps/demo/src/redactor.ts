import { createSecretScrubber, maskKeyLike, maskSecret, type TextScrubber } from '@keypool/core';

/**
 * The last line of defence: every secret the process learns (vault entries, env keys, keys files, the demo's fake
 * keys) is registered here, and every byte the CLI writes passes through `scrub`, which replaces any registered
 * secret with its masked form and masks anything else that looks like a key (a key pasted where an id, a reference,
 * a URL or a provider belongs). Output code already names keys by id and masked form; this catches what a library
 * error message, an SDK or the user's own input might echo.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  /** Built from `secrets` when first needed after a change (a vault registers its keys one by one). */
  private scrubber: TextScrubber | undefined = maskKeyLike;

  /** Registers secrets to scrub from all later output. */
  add(...secrets: readonly (string | undefined)[]): void {
    const before = this.secrets.size;
    for (const secret of secrets) if (secret && secret.length >= 4) this.secrets.add(secret);
    if (this.secrets.size !== before) this.scrubber = undefined;
  }

  /** The text with every registered secret, and anything key-like, replaced by its masked form. */
  scrub(text: string): string {
    this.scrubber ??= createSecretScrubber(this.secrets);
    return this.scrubber(text);
  }

  /** The masked form of a secret (core's `maskSecret`), registering it first. */
  mask(secret: string): string {
    this.add(secret);
    return maskSecret(secret);
  }
}
