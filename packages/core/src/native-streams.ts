/**
 * `@keypool/core/native-streams`: what a provider package needs to make `pool.client` native streams survive a break
 * (the pool option `nativeStreams`). Kept out of the main entry, so apps that never continue native streams do not
 * bundle it.
 */
export {
  continuingRoutedResponse,
  type RoutedResponseContinuation,
  routedResponseContinuation,
  type SseEvent,
  serializeSseEvent,
  sseEvents,
  sseJson,
  withSseJson,
} from './continue-routed-response';
export {
  continuingRoutedStream,
  type RoutedStreamContinuation,
  routedStreamContinuation,
} from './continue-routed-stream';
export {
  continueNativeStream,
  type NativeContinuationSetup,
  type NativeReopen,
  NativeStreamBreak,
  type NativeStreamDialect,
  type OpenedNativeStream,
} from './native-stream-continuation';
