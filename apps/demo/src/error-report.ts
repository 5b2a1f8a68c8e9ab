import { KeypoolError } from '@keypool/core';
import { KeystoreError } from '@keypool/keystore';
import { CliError } from './cli-error';
import { ExitCode, type ExitCodeValue } from './exit-codes';

/** What the CLI says about an error: a stable code, a message without secrets, and the exit code it means. */
export interface ErrorReport {
  code: string;
  message: string;
  exitCode: ExitCodeValue;
}

const KEYSTORE_EXIT_CODES: Record<string, ExitCodeValue> = {
  vault_passphrase_missing: ExitCode.vault,
  vault_passphrase_wrong: ExitCode.vault,
  vault_corrupt: ExitCode.vault,
  vault_unreadable: ExitCode.vault,
  vault_unwritable: ExitCode.vault,
  vault_mode_mismatch: ExitCode.vault,
  vault_entry_not_found: ExitCode.notFound,
  vault_entry_exists: ExitCode.conflict,
  vault_duplicate_secret: ExitCode.conflict,
  vault_locked: ExitCode.busy,
};

/**
 * Maps any error to what the CLI reports. Keystore errors keep their own messages (they name paths and ids, never
 * secrets); Keypool configuration errors are usage errors; other Keypool errors (a call that failed) are failures.
 */
export function errorReport(error: unknown): ErrorReport {
  if (error instanceof CliError)
    return { code: error.code, message: error.message, exitCode: error.exitCode };
  if (KeystoreError.isInstance(error)) {
    const path = (error as KeystoreError & { path?: string }).path;
    return {
      code: error.code,
      message:
        error.code === 'vault_passphrase_missing'
          ? `the vault ${path ?? ''} needs a passphrase: set KEYPOOL_PASSPHRASE, or run in a terminal to be asked for it`
          : error.message,
      exitCode: KEYSTORE_EXIT_CODES[error.code] ?? ExitCode.usage,
    };
  }
  if (KeypoolError.isInstance(error)) {
    return {
      code: error.code,
      message: error.message,
      exitCode: error.code === 'config_invalid' ? ExitCode.usage : ExitCode.failed,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'unexpected', message, exitCode: ExitCode.failed };
}
