export {
  type AdapterConformanceOptions,
  type ErrorCase,
  type LiveTarget,
  runAdapterConformance,
} from './testing/adapter-conformance';
export {
  type ContinuationConformanceOptions,
  type ContinuationEmulator,
  type ContinuationPool,
  runContinuationConformance,
} from './testing/continuation-conformance';
export {
  FakeAdapter,
  type FakeCall,
  type FakeClient,
  type FakeOutcome,
  FakeProviderError,
} from './testing/fake-adapter';
export {
  type NativeStreamConformanceOptions,
  type NativeStreamPoolOptions,
  runNativeStreamConformance,
} from './testing/native-stream-conformance';
export {
  createRecordingFetch,
  type RecordedRequest,
  type RecordingFetch,
} from './testing/recording-fetch';
export { runStoreConformance, type StoreConformanceOptions } from './testing/store-conformance';
export {
  CONFORMANCE_TOOLS,
  collectToolStream,
  runToolConformance,
  type ToolConformanceOptions,
} from './testing/tool-conformance';
export { type SimulatedKey, type SimulatedRequest, WindowProvider } from './testing/window-provider';
