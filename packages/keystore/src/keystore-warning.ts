import type { ProviderId } from './provider-id';

/** What a warning is about. */
export type KeystoreWarningCode = 'inline_secret' | 'duplicate_secret';

/**
 * Something worth telling a person that does not stop the keys from loading. The library never logs; it returns these
 * so the app can. Like errors, warnings name files, paths and key ids, never a secret.
 */
export interface KeystoreWarning {
  code: KeystoreWarningCode;
  message: string;
  file?: string;
  /** The path inside the file, e.g. `providers.openai.keys[2].secret`. */
  path?: string;
  provider?: ProviderId;
  keyId?: string;
}
