export {
  type AdapterConformanceOptions,
  type ErrorCase,
  type LiveTarget,
  runAdapterConformance,
} from './testing/adapter-conformance';
export { consoleOutputOf } from './testing/console-output';
export {
  type ContinuationConformanceOptions,
  type ContinuationEmulator,
  type ContinuationPool,
  runContinuationConformance,
} from './testing/continuation-conformance';
export {
  createDifferential,
  type Differential,
  type DifferentialKey,
  type DifferentialOptions,
  type DifferentialScenario,
  type DifferentialWire,
  type Observed,
  VOLATILE_FIELDS,
} from './testing/differential';
export {
  FakeAdapter,
  type FakeCall,
  type FakeClient,
  type FakeOutcome,
  FakeProviderError,
} from './testing/fake-adapter';
export {
  type IncompleteAnswerConformanceOptions,
  type IncompleteAnswerRow,
  type RawAnswerTarget,
  runIncompleteAnswerConformance,
} from './testing/incomplete-answer-conformance';
export {
  type NativeStreamConformanceOptions,
  type NativeStreamPoolOptions,
  runNativeStreamConformance,
} from './testing/native-stream-conformance';
export {
  type CannedErrorServer,
  type RateLimitWordingConformanceOptions,
  type RateLimitWordingFixture,
  runRateLimitWordingConformance,
} from './testing/rate-limit-wording-conformance';
export { type ReadmeExampleParts, readmeExampleParts } from './testing/readme-example';
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
