import { PROVIDER_IDS, type ProviderId } from './provider-id';

/** Proactive per-key limits; the pool stays under them before it sends. */
export interface KeyLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute. */
  tpm?: number;
  /** Requests per day. */
  rpd?: number;
}

/**
 * One key, in the shape the core's pool accepts. Objects of this type produced by this package keep `secret` as a
 * plain property (the pool needs it) but mask it in `JSON.stringify`, `String()` and `util.inspect`.
 */
export interface KeyConfig {
  /** A stable name for the key, used everywhere the secret must not be (events, snapshots, errors). */
  id: string;
  /** The API key itself. */
  secret: string;
  /** Relative share of traffic for the `weighted` strategy. */
  weight?: number;
  limits?: KeyLimits;
  tags?: string[];
  /** Keys sharing one provider quota (same organisation or project): a limit hit on one cools the group. */
  quotaGroup?: string;
  /** The models the key may serve: names, or patterns where `*` is any run of characters. Absent: every model. */
  models?: string[];
  /** Its tier for the `priority` strategy: lower goes first; keys of one priority share the load. */
  priority?: number;
}

/** Key configs for every provider; a provider with no keys has an empty list. */
export type ProviderKeys = Record<ProviderId, KeyConfig[]>;

/** A fresh `ProviderKeys` with an empty list for every provider. */
export function emptyProviderKeys(): ProviderKeys {
  return Object.fromEntries(PROVIDER_IDS.map((provider) => [provider, []])) as unknown as ProviderKeys;
}
