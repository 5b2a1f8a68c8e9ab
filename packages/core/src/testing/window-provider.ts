import type { AttemptContext, ProviderAdapter } from '../adapter';
import type { ChatRequest, ChatResult, ChatStreamPart } from '../chat';
import type { ClassifiedError } from '../classified-error';
import { FakeProviderError } from './fake-adapter';

/** How the simulated provider answers one key. */
export interface SimulatedKey {
  /** Requests allowed per fixed window, per model (providers limit per key and model). Undefined: unlimited. */
  limitPerWindow?: number;
  /** A 429 carries this retry-after; undefined: no hint at all (as many OpenAI-compatible servers do). */
  retryAfterMs?: number;
  /** Every call fails with this category until `healthyAt` (epoch ms). */
  failWith?: ClassifiedError['category'];
  healthyAt?: number;
}

/** One request the simulated provider received. */
export interface SimulatedRequest {
  secret: string;
  model: string;
  at: number;
  status: 200 | 429 | 500;
}

/**
 * A provider simulated in memory for engine tests under fake timers: fixed windows per (key, model) that answer every
 * request over the limit with 429 (like a real provider, it counts a request when it arrives), optional retry-after,
 * and keys that fail until a time. Its log says exactly what reached each key and model, and when.
 */
export class WindowProvider implements ProviderAdapter<{ secret: string }> {
  readonly provider = 'simulated';
  readonly log: SimulatedRequest[] = [];
  private readonly keys: Map<string, SimulatedKey>;
  private readonly windowMs: number;
  private readonly latencyMs: number;
  private readonly counts = new Map<string, { windowStart: number; count: number }>();

  constructor(keys: Record<string, SimulatedKey>, options: { windowMs: number; latencyMs?: number }) {
    this.keys = new Map(Object.entries(keys));
    this.windowMs = options.windowMs;
    this.latencyMs = options.latencyMs ?? 5;
  }

  setApiKey(): void {}

  createClient(secret: string): { secret: string } {
    return { secret };
  }

  classifyError(error: unknown): ClassifiedError {
    if (error instanceof FakeProviderError)
      return { category: error.category, message: error.message, ...error.hints };
    return { category: 'server', message: String(error) };
  }

  /** Requests that reached the provider per status. */
  count(status: SimulatedRequest['status'], model?: string): number {
    return this.log.filter(
      (entry) => entry.status === status && (model === undefined || entry.model === model),
    ).length;
  }

  async chat(
    client: { secret: string },
    request: ChatRequest,
    context: AttemptContext,
  ): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
    const now = Date.now();
    const behaviour = this.keys.get(client.secret) ?? {};
    let status: SimulatedRequest['status'] = 200;
    if (behaviour.failWith && now < (behaviour.healthyAt ?? Number.POSITIVE_INFINITY)) status = 500;
    else if (behaviour.limitPerWindow !== undefined) {
      const slot = `${client.secret}|${request.model}`;
      const windowStart = now - (now % this.windowMs);
      const window = this.counts.get(slot);
      const current = window && window.windowStart === windowStart ? window : { windowStart, count: 0 };
      current.count++;
      this.counts.set(slot, current);
      if (current.count > behaviour.limitPerWindow) status = 429;
    }
    this.log.push({ secret: client.secret, model: request.model, at: now, status });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.latencyMs);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(context.signal.reason);
      });
    });
    if (status === 429) {
      const hints = behaviour.retryAfterMs !== undefined ? { retryAfterMs: behaviour.retryAfterMs } : {};
      throw new FakeProviderError('rate_limit', hints, '429 too many requests');
    }
    if (status === 500) throw new FakeProviderError(behaviour.failWith ?? 'server', {}, 'upstream failure');
    return {
      text: 'ok',
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      model: request.model,
    };
  }

  // biome-ignore lint/correctness/useYield: the simulated provider has no streaming.
  async *stream(): AsyncIterable<ChatStreamPart> {
    throw new FakeProviderError('invalid_request', {}, 'the simulated provider does not stream');
  }
}
