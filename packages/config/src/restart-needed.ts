import { type KeysFile, PROVIDER_IDS, type ProviderId } from '@keypool/keystore';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The parts of a keys file that changed but apply only when the pools are built: pool options (strategy, timeouts,
 * cooldowns), a provider's settings (base URL, Azure's endpoint, API version, deployment), chains, and a provider
 * with keys that had no pool. Keys themselves apply live.
 */
export function restartNeeded(before: KeysFile, after: KeysFile, running: readonly ProviderId[]): string[] {
  const paths: string[] = [];
  if (!same(before.pool, after.pool)) paths.push('pool');
  for (const provider of PROVIDER_IDS) {
    if (!same(before.providers?.[provider]?.pool, after.providers?.[provider]?.pool))
      paths.push(`providers.${provider}.pool`);
    const { keys: _before, pool: _beforePool, ...beforeSettings } = before.providers?.[provider] ?? {};
    const { keys: _after, pool: _afterPool, ...afterSettings } = after.providers?.[provider] ?? {};
    for (const name of new Set([...Object.keys(beforeSettings), ...Object.keys(afterSettings)]))
      if (
        !same(
          beforeSettings[name as keyof typeof beforeSettings],
          afterSettings[name as keyof typeof afterSettings],
        )
      )
        paths.push(`providers.${provider}.${name}`);
    const hasKeys = (after.providers?.[provider]?.keys ?? []).some((key) => !key.disabled);
    if (hasKeys && !running.includes(provider)) paths.push(`providers.${provider}`);
  }
  if (!same(before.chains, after.chains)) paths.push('chains');
  if (!same(before.chain, after.chain)) paths.push('chain');
  return paths;
}
