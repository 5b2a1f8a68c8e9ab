import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { type InstrumentOptions, keypoolTracer } from './instrument-pool';
import { ATTR } from './keypool-attributes';

/** One attempt of a chain call (`ChainAttempt` from `@keypool/fallback`). */
interface ChainAttemptLike {
  step: number;
  name: string;
  provider: string;
  model: string;
  keyId?: string;
  maskedKey?: string;
  outcome: string;
  category?: string;
  reason?: string;
  startedAt: number;
  durationMs: number;
}

/** What `instrumentChain` needs of a chain: `FallbackChain` fits. */
export interface InstrumentableChain {
  chat(request: {
    model: string;
  }): Promise<{ attempts: readonly ChainAttemptLike[]; served: { index: number; name: string } }>;
}

function addAttempts(span: Span, attempts: readonly ChainAttemptLike[] | undefined): void {
  const steps = new Set<number>();
  for (const attempt of attempts ?? []) {
    steps.add(attempt.step);
    span.addEvent(
      'keypool.attempt',
      {
        [ATTR.fallbackStep]: attempt.step,
        [ATTR.fallbackStepName]: attempt.name,
        [ATTR.providerName]: attempt.provider,
        [ATTR.requestModel]: attempt.model,
        [ATTR.outcome]: attempt.outcome,
        ...(attempt.keyId ? { [ATTR.keyId]: attempt.keyId } : {}),
        ...(attempt.maskedKey ? { [ATTR.keyMasked]: attempt.maskedKey } : {}),
        ...(attempt.category ? { [ATTR.category]: attempt.category } : {}),
      },
      attempt.startedAt,
    );
  }
  span.setAttribute(ATTR.fallbackSteps, steps.size);
  span.setAttribute(ATTR.attempts, attempts?.length ?? 0);
}

/**
 * Traces a fallback chain's `chat`: one span per call (`chain chat`), with each attempt of each step as a span
 * event (step index and name, provider, model, key, outcome, category) and the serving step as
 * `keypool.fallback.step`. Instrument the chain's pools too for per-attempt spans; with a context manager
 * installed (any Node SDK) they nest under the chain's span. Returns the function that undoes it.
 */
export function instrumentChain(chain: InstrumentableChain, options: InstrumentOptions = {}): () => void {
  const tracer = keypoolTracer(options);
  const original = chain.chat;
  chain.chat = ((request) =>
    tracer.startActiveSpan(
      'chain chat',
      { kind: SpanKind.INTERNAL, attributes: { [ATTR.operationName]: 'chat' } },
      async (span) => {
        try {
          const result = await original.call(chain, request);
          addAttempts(span, result.attempts);
          span.setAttribute(ATTR.fallbackStep, result.served.index);
          span.setAttribute(ATTR.fallbackStepName, result.served.name);
          return result;
        } catch (error) {
          addAttempts(span, (error as { attempts?: readonly ChainAttemptLike[] }).attempts);
          span.setAttribute(
            ATTR.errorType,
            (error as { category?: string })?.category ?? (error as Error)?.name ?? 'Error',
          );
          if (error instanceof Error) span.recordException(error);
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          throw error;
        } finally {
          span.end();
        }
      },
    )) as InstrumentableChain['chat'];
  return () => {
    delete (chain as unknown as Record<string, unknown>).chat;
    if (chain.chat !== original) chain.chat = original;
  };
}
