import type { ErrorCategory } from './categories';

/**
 * How a routed native stream may continue after a break (the pool's `nativeStreams.onInterrupt`): `fail` (default)
 * ends it with the SDK's error, as without continuation; `continue` goes on with the same answer on another key (by
 * prefill where the model accepts one, else by asking again and passing on only the new text); `restart` always
 * restarts the answer, announced on its first chunk.
 */
export type NativeInterruptMode = 'continue' | 'restart' | 'fail';

/** What a chunk that starts the answer again carries, as `chunk.keypool.restart`. */
export interface NativeStreamRestart {
  reason: ErrorCategory | 'continuation_diverged';
  /** The text the consumer read before (clear it: the chunks after this one are the whole new answer). */
  discardedText: string;
}

/**
 * The restart a native chunk announces (`chunk.keypool.restart`), if any: when set, clear the text you showed (it is
 * `discardedText`); this chunk and the ones after it are the whole new answer.
 */
export function nativeRestartOf(chunk: unknown): NativeStreamRestart | undefined {
  if (chunk === null || typeof chunk !== 'object') return undefined;
  return (chunk as { keypool?: { restart?: NativeStreamRestart } }).keypool?.restart;
}
