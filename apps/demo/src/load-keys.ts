import { existsSync } from 'node:fs';
import { fingerprintSecret } from '@keypool/core';
import {
  emptyProviderKeys,
  envSource,
  type FallbackChains,
  keysFromEnv,
  loadKeysFile,
  type PoolOptions,
  type ProviderId,
  type ProviderKeys,
  resolveKeysFile,
  vaultSource,
} from '@keypool/keystore';
import type { CliIo } from './cli-io';
import { openCliVault, type VaultCommandOptions } from './open-cli-vault';
import { PROVIDERS } from './providers';

/** Where a command takes its keys from. */
export interface KeySourceOptions extends VaultCommandOptions {
  /** `--keys <file>`: a keys file, whose `env:` and `vault:` references are resolved. */
  keys?: string;
  /** `--env-only`: environment variables only. */
  envOnly?: boolean;
}

/** Keys per provider, where they came from, and what a keys file adds (pool options, chains). */
export interface LoadedKeys {
  keys: ProviderKeys;
  /** Human description of the sources used, e.g. `vault ~/.keypool/vault.json + environment`. */
  source: string;
  pools: Partial<Record<ProviderId, PoolOptions>>;
  chains: FallbackChains;
  /** Per provider, the keys file's settings: its base URL, and Azure's endpoint, API version and deployment. */
  settings: Partial<Record<ProviderId, ProviderSettings>>;
  warnings: string[];
}

/** A provider's settings in a keys file, besides its keys and pool options. */
export interface ProviderSettings {
  baseURL?: string;
  endpoint?: string;
  apiVersion?: string;
  deployment?: string;
}

/**
 * Loads keys for `chat` and `keys test`: from `--keys <file>`; else from `--env-only` environment variables; else
 * from the vault (when its file exists) plus the environment, an env key whose secret the vault already holds being
 * dropped. Every secret is registered with the redactor before anything is printed.
 */
export async function loadKeys(io: CliIo, options: KeySourceOptions): Promise<LoadedKeys> {
  let loaded: LoadedKeys;
  if (options.keys) {
    const file = await loadKeysFile(options.keys);
    const resolved = await resolveKeysFile(file, {
      sources: [envSource(io.env), vaultSource(openCliVault(io, options))],
    });
    const settings: Partial<Record<ProviderId, ProviderSettings>> = {};
    for (const provider of PROVIDERS) {
      const { keys: _keys, pool: _pool, ...rest } = file.data.providers?.[provider] ?? {};
      if (Object.keys(rest).length > 0) settings[provider] = rest;
    }
    loaded = {
      keys: resolved.keys,
      source: `keys file ${options.keys}`,
      pools: resolved.pools,
      chains: resolved.chains,
      settings,
      warnings: resolved.warnings.map((warning) => warning.message),
    };
  } else {
    const fromEnv = keysFromEnv(io.env);
    if (options.envOnly) {
      loaded = { keys: fromEnv, source: 'environment', pools: {}, chains: {}, settings: {}, warnings: [] };
    } else {
      const vault = openCliVault(io, options);
      const keys = emptyProviderKeys();
      const sources: string[] = [];
      if (existsSync(vault.path)) {
        const fromVault = await vault.keys();
        for (const provider of PROVIDERS) keys[provider].push(...fromVault[provider]);
        sources.push(`vault ${vault.path}`);
      }
      let envCount = 0;
      for (const provider of PROVIDERS) {
        const known = new Set(keys[provider].map((key) => fingerprintSecret(key.secret)));
        for (const key of fromEnv[provider]) {
          if (known.has(fingerprintSecret(key.secret))) continue;
          keys[provider].push(key);
          envCount++;
        }
      }
      if (envCount > 0 || sources.length === 0) sources.push('environment');
      loaded = { keys, source: sources.join(' + '), pools: {}, chains: {}, settings: {}, warnings: [] };
    }
  }
  for (const provider of PROVIDERS) for (const key of loaded.keys[provider]) io.redactor.add(key.secret);
  return loaded;
}
