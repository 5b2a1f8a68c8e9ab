export { createDashboard, type Dashboard, type DashboardOptions } from './create-dashboard';
export type { AlertLogEntry, DashboardEvent } from './dashboard-collector';
export type { DashboardChain, DashboardPool, DashboardStepStatus, Named } from './dashboard-sources';
export { escapeLabel } from './prometheus-text';
export type { StatusDocument, StatusKey, StatusPool } from './status-document';
export type { SeriesData } from './time-series';
