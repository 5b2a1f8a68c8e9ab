import type { ProviderName } from './categories';

/** A routed stream once its first chunk arrived: that chunk, the rest, and the key serving it. */
export interface OpenedRoutedStream<TChunk> {
  first: IteratorResult<TChunk, void>;
  rest: AsyncGenerator<TChunk, void, undefined>;
  keyId: string;
}

/** Opens one engine stream of a routed call with these arguments, avoiding these keys. */
export type StartRoutedStream<TChunk> = (
  args: readonly unknown[],
  avoidKeyIds: readonly string[],
) => Promise<OpenedRoutedStream<TChunk>>;

/** A pool as the continuation hooks see it (its provider; its settings are found by the pool itself). */
export type ContinuablePoolRef = object & { readonly provider: ProviderName };

/**
 * Continues a routed method's stream after a break when its pool opts in (`nativeStreams`): built by
 * `routedStreamContinuation` from `@keypool/core/native-streams`. Returns undefined when the call is not continued.
 */
export interface RoutedStreamContinuer<TChunk = unknown> {
  continueStream(
    pool: ContinuablePoolRef,
    args: readonly unknown[],
    opened: OpenedRoutedStream<TChunk>,
    start: StartRoutedStream<TChunk>,
  ): AsyncGenerator<TChunk, void, undefined> | undefined;
}

/** A (re)opened streamed response and the key serving it (its first event has arrived). */
export interface OpenedResponse {
  response: Response;
  keyId: string;
}

/**
 * Continues a routed Stainless SDK request's streamed response after a break when its pool opts in
 * (`nativeStreams`): built by `routedResponseContinuation` from `@keypool/core/native-streams`. Returns undefined when
 * the request is not continued.
 */
export interface RoutedResponseContinuer {
  continueResponse(
    pool: ContinuablePoolRef,
    request: { path: string; body?: unknown; signal?: AbortSignal | null },
    opened: OpenedResponse,
    reopen: (body: unknown, avoidKeyIds: readonly string[]) => Promise<OpenedResponse>,
  ): Response | undefined;
}
