import type { ObservedEvent } from '@keypool/core';
import type { Attributes, MeterProvider } from '@opentelemetry/api';
import { ATTR } from './keypool-attributes';

/** The instruments and how events feed them. */
export interface KeypoolMetrics {
  /** Records what one pool event says. */
  record(provider: string, event: ObservedEvent): void;
  /** Records a call's token usage (`gen_ai.client.token.usage`, by input and output). */
  tokens(attributes: Attributes, usage: { inputTokens?: number; outputTokens?: number }): void;
}

/**
 * Keypool's instruments on a meter: `keypool.requests` (successful calls), `keypool.failures` (by category),
 * `keypool.rate_limits` (429s), `keypool.cooldowns`, `gen_ai.client.operation.duration` (seconds) and
 * `gen_ai.client.token.usage`, each labelled with provider, model (when known) and key id.
 */
export function keypoolMetrics(provider: MeterProvider): KeypoolMetrics {
  const meter = provider.getMeter('@keypool/otel');
  const requests = meter.createCounter('keypool.requests', { description: 'Calls served by a key.' });
  const failures = meter.createCounter('keypool.failures', {
    description: 'Failed attempts, by error category.',
  });
  const rateLimits = meter.createCounter('keypool.rate_limits', {
    description: 'Attempts answered with a rate limit (429).',
  });
  const cooldowns = meter.createCounter('keypool.cooldowns', { description: 'Cooldowns started on a key.' });
  const duration = meter.createHistogram('gen_ai.client.operation.duration', {
    description: 'Duration of a successful call.',
    unit: 's',
  });
  const tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
    description: 'Tokens used per call, by input and output.',
    unit: '{token}',
  });

  const tokens = (attributes: Attributes, usage: { inputTokens?: number; outputTokens?: number }) => {
    if (usage.inputTokens !== undefined)
      tokenUsage.record(usage.inputTokens, { ...attributes, [ATTR.tokenType]: 'input' });
    if (usage.outputTokens !== undefined)
      tokenUsage.record(usage.outputTokens, { ...attributes, [ATTR.tokenType]: 'output' });
  };

  return {
    tokens,
    record(providerName, event) {
      const attributes: Attributes = {
        [ATTR.providerName]: providerName,
        ...(event.model ? { [ATTR.requestModel]: event.model } : {}),
        ...(event.keyId ? { [ATTR.keyId]: event.keyId } : {}),
      };
      switch (event.type) {
        case 'request.success':
          requests.add(1, attributes);
          if (event.latencyMs !== undefined)
            duration.record(event.latencyMs / 1_000, { ...attributes, [ATTR.operationName]: 'chat' });
          if (event.usage) tokens(attributes, event.usage);
          break;
        case 'request.failure':
          failures.add(1, { ...attributes, [ATTR.category]: String(event.category) });
          if (event.category === 'rate_limit' || event.status === 429) rateLimits.add(1, attributes);
          break;
        case 'key.cooldown':
          cooldowns.add(1, { ...attributes, [ATTR.category]: String(event.category) });
          break;
      }
    },
  };
}
