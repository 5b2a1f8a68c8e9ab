import { createHash, timingSafeEqual } from 'node:crypto';
import type { VirtualKeyConfig } from './gateway-config';

/** The at-rest form of a virtual key: `sha256:` and the SHA-256 of the key in hex. Put this in the config. */
export function hashVirtualKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * The gateway's client keys, looked up by the hash of what a client presents. The keys themselves are never held:
 * only their hashes, from the config.
 */
export class VirtualKeys {
  private readonly byHash = new Map<string, VirtualKeyConfig>();
  private readonly allowed = new Map<string, ReadonlySet<string> | undefined>();

  constructor(keys: readonly VirtualKeyConfig[]) {
    for (const key of keys) {
      this.byHash.set(key.hash, key);
      this.allowed.set(key.id, key.models ? new Set(key.models) : undefined);
    }
  }

  /** True when the config names no virtual key: the gateway then takes requests without one. */
  get open(): boolean {
    return this.byHash.size === 0;
  }

  /** The virtual key a client presented, or undefined when it is not one of ours (or absent). */
  find(presented: string | undefined): VirtualKeyConfig | undefined {
    // No virtual keys (an open gateway): nothing to hash on every request.
    if (presented === undefined || presented === '' || this.byHash.size === 0) return undefined;
    const hash = hashVirtualKey(presented);
    const key = this.byHash.get(hash);
    // The map lookup already matched; the constant-time compare keeps the check honest if the map ever changes.
    if (key === undefined || !timingSafeEqual(Buffer.from(key.hash), Buffer.from(hash))) return undefined;
    return key;
  }

  /** Whether a key may use a model name (as the client sent it). */
  allows(key: VirtualKeyConfig | undefined, model: string): boolean {
    if (key === undefined) return true;
    const models = this.allowed.get(key.id);
    return models === undefined || models.has(model);
  }
}
