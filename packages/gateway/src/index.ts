export {
  type ApiDialect,
  type ErrorAnswer,
  errorAnswer,
  GatewayError,
  type GatewayErrorKind,
} from './api-error';
export {
  type GatewayConfig,
  type GatewaySection,
  gatewaySectionSchema,
  type ModelTarget,
  type MountConfig,
  parseGatewayConfig,
  type VirtualKeyConfig,
} from './gateway-config';
export { createGatewayDashboard } from './gateway-dashboard';
export type { GatewayEventName, GatewayEvents, GatewayRequestEvent } from './gateway-events';
export {
  createGatewayPools,
  type GatewayPoolOptions,
  type GatewayPools,
  type GatewayPoolsOptions,
} from './gateway-pools';
export {
  GATEWAY_PROVIDERS,
  gatewayProviderMessage,
  isGatewayProvider,
  unsupportedProviderIssues,
} from './gateway-providers';
export { type Gateway, type GatewayOptions, startGateway } from './gateway-server';
export { ModelRouter, type Route } from './model-router';
export { RedisVirtualKeyBudget } from './redis-virtual-key-budget';
export {
  type GatewayFileOptions,
  type LoadedGatewayFile,
  loadGatewayFile,
  serveGateway,
  serveGatewayFile,
} from './serve-gateway-file';
export { type BudgetTicket, MemoryVirtualKeyBudget, type VirtualKeyBudget } from './virtual-key-budget';
export { hashVirtualKey, VirtualKeys } from './virtual-keys';
export type { MountContext, MountedHandler, WebHandler } from './web-handler';
