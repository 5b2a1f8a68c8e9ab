import { type Emulator, type EmulatorConfig, startEmulator } from '@keypool/emulator';
import type { FallbackChains, ProviderId } from '@keypool/keystore';
import { type GatewaySection, parseGatewayConfig } from '../src/gateway-config';
import { createGatewayPools } from '../src/gateway-pools';
import { type Gateway, startGateway } from '../src/gateway-server';
import type { VirtualKeyBudget } from '../src/virtual-key-budget';

/** What a test gateway is built from: the emulator's behaviour, the upstream keys, and the gateway section. */
export interface TestGatewayOptions {
  emulator?: EmulatorConfig;
  keys: Partial<Record<ProviderId, string[]>>;
  chains?: FallbackChains;
  gateway?: GatewaySection;
  budget?: VirtualKeyBudget;
}

/** A gateway on port 0 in front of an emulator on port 0, both on 127.0.0.1; `close()` stops both. */
export interface TestGateway {
  emulator: Emulator;
  gateway: Gateway;
  /** The OpenAI SDKs' base URL (`.../v1`). */
  openaiURL: string;
  close(): Promise<void>;
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const emulator = await startEmulator(options.emulator ?? { acceptAnyKey: true });
  const keys: Partial<Record<ProviderId, { id: string; secret: string }[]>> = {};
  for (const [provider, secrets] of Object.entries(options.keys)) {
    keys[provider as ProviderId] = secrets.map((secret, index) => ({
      id: `${provider}-${index + 1}`,
      secret,
    }));
  }
  const config = parseGatewayConfig({ port: 0, ...options.gateway }, Object.keys(options.chains ?? {}));
  const pools = await createGatewayPools({
    keys,
    chains: options.chains ?? {},
    upstreams: { ...emulator.baseURLs, ...config.upstreams },
    deadlineMs: 10_000,
    attemptTimeoutMs: 5_000,
    pool: { maxWaitMs: 0 },
  });
  const gateway = await startGateway({
    config,
    pools,
    ...(options.budget ? { budget: options.budget } : {}),
  });
  return {
    emulator,
    gateway,
    openaiURL: `${gateway.url}/v1`,
    close: async () => {
      await gateway.close();
      await emulator.close();
    },
  };
}
