/**
 * The `keypool` CLI's exit codes. Scripts can rely on them; the README lists them.
 *
 * - 0 `ok`: the command did what was asked.
 * - 1 `failed`: the operation ran and failed: a chat call could not be served, a tested key is not valid, a
 *   simulation left calls unserved.
 * - 2 `usage`: bad arguments or configuration (unknown option, unknown provider, bad keys file, a secret on the
 *   command line without `--force-argv`, no keys to use).
 * - 3 `vault`: the vault cannot be opened: no passphrase, a wrong one, a corrupt / truncated / tampered file, or a
 *   path that cannot be read or written (a directory, a symlink loop, a read-only folder).
 * - 4 `notFound`: the named key (or state file) does not exist.
 * - 5 `conflict`: the key id is taken, or the same secret is already stored for the provider.
 * - 6 `busy`: the vault is locked by another process for longer than the lock timeout.
 * - 130 `interrupted`: cancelled at a prompt or by Ctrl-C.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  vault: 3,
  notFound: 4,
  conflict: 5,
  busy: 6,
  interrupted: 130,
} as const;

/** One of the CLI's exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
