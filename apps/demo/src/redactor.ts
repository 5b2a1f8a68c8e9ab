import { maskSecret, scrubSecrets } from '@keypool/core';

/**
 * The last line of defence: every secret the process learns (vault entries, env keys, keys files, the demo's fake
 * keys) is registered here, and every byte the CLI writes passes through `scrub`, which replaces any registered
 * secret with its masked form. Output code already names keys by id and masked form; this catches what a library
 * error message or an SDK might echo.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers secrets to scrub from all later output. */
  add(...secrets: readonly (string | undefined)[]): void {
    for (const secret of secrets) if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  /** The text with every registered secret replaced by its masked form. */
  scrub(text: string): string {
    return this.secrets.size === 0 ? text : scrubSecrets(text, this.secrets);
  }

  /** The masked form of a secret (core's `maskSecret`), registering it first. */
  mask(secret: string): string {
    this.add(secret);
    return maskSecret(secret);
  }
}
