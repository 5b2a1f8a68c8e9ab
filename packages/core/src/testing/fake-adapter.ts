import type { AttemptContext, ProviderAdapter } from '../adapter';
import type { ErrorCategory } from '../categories';
import type { ChatRequest, ChatResult, ChatStreamPart } from '../chat';
import type { ClassifiedError } from '../classified-error';
import type { RateLimitInfo } from '../rate-limit-info';

/** An error a fake call throws: a category and the hints a real provider would send. */
export class FakeProviderError extends Error {
  readonly category: ErrorCategory;
  readonly hints: Omit<ClassifiedError, 'category' | 'message'>;

  constructor(
    category: ErrorCategory,
    hints: Omit<ClassifiedError, 'category' | 'message'> = {},
    message?: string,
  ) {
    super(message ?? `fake ${category}`);
    this.name = 'FakeProviderError';
    this.category = category;
    this.hints = hints;
  }
}

/** One scripted outcome of a fake call. */
export type FakeOutcome =
  | { type: 'ok'; text?: string; delayMs?: number; rateLimit?: RateLimitInfo; usage?: number }
  | {
      type: 'error';
      category: ErrorCategory;
      hints?: Omit<ClassifiedError, 'category' | 'message'>;
      delayMs?: number;
      message?: string;
    }
  | { type: 'hang' }
  | {
      type: 'stream';
      chunks: string[];
      failAfter?: number;
      failWith?: ErrorCategory;
      chunkDelayMs?: number;
      noTerminator?: boolean;
    };

/** A fake SDK client: it only knows its key. */
export interface FakeClient {
  readonly secret: string;
  readonly serial: number;
}

/** One call the fake adapter served: which key's client ran it (the secret is kept for assertions in tests). */
export interface FakeCall {
  secret: string;
  kind: 'chat' | 'stream' | 'native';
  outcome: FakeOutcome['type'];
  category?: ErrorCategory;
  at: number;
}

/**
 * A scriptable adapter for tests: each key has a queue of outcomes (then a default), every call is logged with the
 * key that served it. Works with fake timers (delays use `setTimeout`).
 */
export class FakeAdapter implements ProviderAdapter<FakeClient> {
  readonly provider: string;
  /** Every call, in the order they started. */
  readonly calls: FakeCall[] = [];
  /** The key `setApiKey` last set. */
  currentKey: string | undefined;
  private readonly scripts = new Map<string, FakeOutcome[]>();
  private readonly defaults = new Map<string, FakeOutcome>();
  private serial = 0;
  private readonly now: () => number;

  constructor(options: { provider?: string; now?: () => number } = {}) {
    this.provider = options.provider ?? 'fake';
    this.now = options.now ?? Date.now;
  }

  /** Queues outcomes for a key's next calls. */
  script(secret: string, ...outcomes: FakeOutcome[]): this {
    const queue = this.scripts.get(secret) ?? [];
    queue.push(...outcomes);
    this.scripts.set(secret, queue);
    return this;
  }

  /** The outcome of a key's calls once its queue is empty (default: ok). */
  always(secret: string, outcome: FakeOutcome): this {
    this.defaults.set(secret, outcome);
    return this;
  }

  /** The calls each key served, by secret. */
  callsFor(secret: string): FakeCall[] {
    return this.calls.filter((call) => call.secret === secret);
  }

  setApiKey(secret: string): void {
    this.currentKey = secret;
  }

  createClient(secret: string): FakeClient {
    this.serial++;
    return { secret, serial: this.serial };
  }

  classifyError(error: unknown): ClassifiedError {
    if (error instanceof FakeProviderError)
      return { category: error.category, message: error.message, ...error.hints };
    if (error instanceof Error && error.name === 'AbortError')
      return { category: 'aborted', message: 'aborted' };
    return { category: 'server', message: error instanceof Error ? error.message : String(error) };
  }

  private next(secret: string): FakeOutcome {
    const queue = this.scripts.get(secret);
    if (queue && queue.length > 0) return queue.shift()!;
    return this.defaults.get(secret) ?? { type: 'ok' };
  }

  /** Runs one non-streaming call on a client: what `pool.run` would run for a native SDK call. */
  async call(
    client: FakeClient,
    context: Pick<AttemptContext, 'signal' | 'reportRateLimit' | 'reportUsage'>,
    kind: FakeCall['kind'] = 'native',
  ): Promise<string> {
    const outcome = this.next(client.secret);
    this.calls.push({
      secret: client.secret,
      kind,
      outcome: outcome.type,
      ...(outcome.type === 'error' ? { category: outcome.category } : {}),
      at: this.now(),
    });
    if (outcome.type === 'hang') {
      await new Promise<never>((_, reject) => {
        context.signal.addEventListener('abort', () => reject(abortError()), { once: true });
      });
    }
    if ((outcome.type === 'ok' || outcome.type === 'error') && outcome.delayMs)
      await delay(outcome.delayMs, context.signal);
    if (outcome.type === 'error') {
      if (outcome.hints?.rateLimit) context.reportRateLimit(outcome.hints.rateLimit);
      throw new FakeProviderError(outcome.category, outcome.hints, outcome.message);
    }
    if (outcome.type === 'ok') {
      if (outcome.rateLimit) context.reportRateLimit(outcome.rateLimit);
      const text = outcome.text ?? 'ok';
      context.reportUsage(outcome.usage ?? text.length);
      return text;
    }
    return (outcome as { chunks?: string[] }).chunks?.join('') ?? '';
  }

  async chat(
    client: FakeClient,
    request: ChatRequest,
    context: AttemptContext,
  ): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
    const text = await this.call(client, context, 'chat');
    return {
      text,
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: text.length, totalTokens: 1 + text.length },
      model: request.model,
    };
  }

  async *stream(
    client: FakeClient,
    request: ChatRequest,
    context: AttemptContext,
  ): AsyncIterable<ChatStreamPart> {
    const outcome = this.next(client.secret);
    this.calls.push({
      secret: client.secret,
      kind: 'stream',
      outcome: outcome.type,
      ...(outcome.type === 'error' ? { category: outcome.category } : {}),
      at: this.now(),
    });
    if (outcome.type === 'hang') {
      await new Promise<never>((_, reject) => {
        context.signal.addEventListener('abort', () => reject(abortError()), { once: true });
      });
    }
    if (outcome.type === 'error') {
      if (outcome.delayMs) await delay(outcome.delayMs, context.signal);
      throw new FakeProviderError(outcome.category, outcome.hints, outcome.message);
    }
    const chunks =
      outcome.type === 'stream' ? outcome.chunks : [(outcome.type === 'ok' && outcome.text) || 'ok'];
    let sent = 0;
    for (const chunk of chunks) {
      if (outcome.type === 'stream' && outcome.failAfter !== undefined && sent === outcome.failAfter) {
        throw new FakeProviderError(outcome.failWith ?? 'server', {}, 'stream broke');
      }
      if (outcome.type === 'stream' && outcome.chunkDelayMs)
        await delay(outcome.chunkDelayMs, context.signal);
      sent++;
      yield { type: 'delta', text: chunk };
    }
    if (outcome.type === 'stream' && outcome.noTerminator) return;
    const text = chunks.join('');
    yield {
      type: 'done',
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: text.length, totalTokens: 1 + text.length },
      model: request.model,
    };
  }
}

function abortError(): Error {
  const error = new Error('This operation was aborted');
  error.name = 'AbortError';
  return error;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(abortError());
      },
      { once: true },
    );
  });
}
