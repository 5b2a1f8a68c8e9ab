export {
  type AdapterConformanceOptions,
  type ErrorCase,
  type LiveTarget,
  runAdapterConformance,
} from './testing/adapter-conformance';
export {
  FakeAdapter,
  type FakeCall,
  type FakeClient,
  type FakeOutcome,
  FakeProviderError,
} from './testing/fake-adapter';
export { runStoreConformance, type StoreConformanceOptions } from './testing/store-conformance';
export { type SimulatedKey, type SimulatedRequest, WindowProvider } from './testing/window-provider';
export {
  CONFORMANCE_TOOLS,
  collectToolStream,
  runToolConformance,
  type ToolConformanceOptions,
} from './testing/tool-conformance';
