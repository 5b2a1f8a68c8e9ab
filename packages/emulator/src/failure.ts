import type { RateLimitRefusal } from './key-state.ts';

/**
 * Every way the emulator refuses a request before answering it. Each provider route renders a failure as that
 * provider's real status, headers and body.
 */
export type Failure =
  | { kind: 'invalid_key'; key: string | undefined }
  | { kind: 'leaked_key'; key: string }
  | ({ kind: 'rate_limited' } & RateLimitRefusal)
  | { kind: 'quota_exhausted'; style: 'spend_limit' | 'billing' }
  | { kind: 'overloaded' }
  | { kind: 'server_error' }
  | { kind: 'context_length'; promptTokens: number; contextWindow: number }
  | { kind: 'content_filter' }
  | { kind: 'not_found' }
  | { kind: 'bad_request'; message: string };
