import type { ConfigIssue } from '@keypool/core';
import {
  isProviderId,
  type KeysFile,
  PROVIDER_FAMILIES,
  PROVIDER_IDS,
  type ProviderFamily,
  unknownProviderMessage,
} from '@keypool/keystore';

/**
 * The providers the gateway serves: the four SDK families. The OpenAI-compatible presets (`groq`...) and Azure are
 * refused with a clear error; `createFromKeysFile` (`@keypool/config`) and the CLI serve them.
 */
export const GATEWAY_PROVIDERS: readonly ProviderFamily[] = PROVIDER_FAMILIES;

/** Whether the gateway serves this provider. */
export function isGatewayProvider(value: unknown): value is ProviderFamily {
  return typeof value === 'string' && (GATEWAY_PROVIDERS as readonly string[]).includes(value);
}

/**
 * Why a provider name is refused: a known provider the gateway does not serve (a preset, Azure), or an unknown name
 * with a did-you-mean. Never echoes a long name (it may be a secret pasted in the wrong place).
 */
export function gatewayProviderMessage(name: string): string {
  if (isProviderId(name))
    return `"${name}" is not served by the gateway (it serves ${GATEWAY_PROVIDERS.join(', ')}); use createFromKeysFile from @keypool/config or the CLI's chat for the OpenAI-compatible presets and Azure`;
  return unknownProviderMessage(name, GATEWAY_PROVIDERS);
}

/**
 * The parts of a keys file the gateway cannot serve: a provider section with keys, or a chain step, naming a
 * provider that is not one of `GATEWAY_PROVIDERS`. Each issue names its path in the file.
 */
export function unsupportedProviderIssues(data: KeysFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const provider of PROVIDER_IDS) {
    if (isGatewayProvider(provider)) continue;
    if ((data.providers?.[provider]?.keys ?? []).length > 0)
      issues.push({ path: `providers.${provider}`, message: gatewayProviderMessage(provider) });
  }
  const chains = { ...(data.chain ? { '': data.chain } : {}), ...(data.chains ?? {}) };
  for (const [name, steps] of Object.entries(chains))
    steps.forEach((step, index) => {
      if (!isGatewayProvider(step.provider))
        issues.push({
          path: `${name === '' ? 'chain' : `chains.${name}`}[${index}].provider`,
          message: gatewayProviderMessage(step.provider),
        });
    });
  return issues;
}
