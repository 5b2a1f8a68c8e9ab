import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import {
  type AttemptKey,
  createKeyPool,
  type KeyPool,
  type KeyPoolOptions,
  type ProviderAdapter,
  UnsupportedFeatureError,
} from '@keypool/core';
import { classifyAiSdkError } from './classify-ai-sdk-error';

/** Options of {@link createRotatingModel}: the pool's options, and how to build the model for one key. */
export interface RotatingModelOptions extends Omit<KeyPoolOptions<LanguageModelV4>, 'adapter'> {
  /** The provider's name in events and errors (e.g. `openai`). */
  provider: string;
  /** Builds the AI SDK model bound to one key, e.g. `(apiKey) => createOpenAI({ apiKey }).chat('gpt-4o')`. */
  createModel: (apiKey: string) => LanguageModelV4;
}

/** A language model that runs every call on a key of its pool. */
export type RotatingLanguageModel = LanguageModelV4 & {
  /** The pool behind the model (events, snapshots, `close()`). */
  readonly pool: KeyPool<LanguageModelV4>;
};

/**
 * Wraps an existing AI SDK model (`@ai-sdk/openai`, `@ai-sdk/anthropic`...) so that each call runs on a key of a
 * Keypool pool: one model instance per key, errors classified from `APICallError`, rate-limited keys cooled, spent or
 * revoked keys set aside, the call retried on another key. A stream is retried until it delivers its first content
 * part. `providerMetadata.keypool.keyId` names the key that served. Set `maxRetries: 0` in the AI SDK call.
 */
export function createRotatingModel(options: RotatingModelOptions): RotatingLanguageModel {
  const { provider, createModel, ...poolOptions } = options;
  const adapter: ProviderAdapter<LanguageModelV4> = {
    provider,
    setApiKey() {},
    createClient: (secret) => createModel(secret),
    classifyError: classifyAiSdkError,
    chat() {
      throw new UnsupportedFeatureError(
        provider,
        'the unified chat on a wrapped AI SDK model (call the model)',
      );
    },
    stream() {
      throw new UnsupportedFeatureError(
        provider,
        'the unified stream on a wrapped AI SDK model (call the model)',
      );
    },
  };
  const pool = createKeyPool<LanguageModelV4>({ ...poolOptions, adapter });
  const template = createModel('keypool-template-no-key');

  return {
    specificationVersion: 'v4',
    provider: template.provider,
    modelId: template.modelId,
    supportedUrls: template.supportedUrls,
    pool,

    async doGenerate(call: LanguageModelV4CallOptions) {
      return pool.run(
        async (model, key) => {
          const result = await model.doGenerate({ ...call, abortSignal: key.signal });
          key.reportUsage((result.usage.inputTokens.total ?? 0) + (result.usage.outputTokens.total ?? 0));
          return { ...result, providerMetadata: { ...result.providerMetadata, keypool: keyMetadata(key) } };
        },
        call.abortSignal ? { signal: call.abortSignal } : {},
      );
    },

    async doStream(call: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
      const parts = pool.executeStream<LanguageModelV4StreamPart>(
        (model, key) => keyStream(model, key, call),
        {
          ...(call.abortSignal ? { signal: call.abortSignal } : {}),
          textOf: (part) => (part.type === 'text-delta' ? part.delta : undefined),
          usageOf: (part) =>
            part.type === 'finish'
              ? (part.usage.inputTokens.total ?? 0) + (part.usage.outputTokens.total ?? 0)
              : undefined,
          isTerminal: (part) => part.type === 'finish',
        },
      );
      const iterator = parts[Symbol.asyncIterator]();
      const first = await iterator.next();
      let pending: IteratorResult<LanguageModelV4StreamPart> | undefined = first;
      return {
        stream: new ReadableStream<LanguageModelV4StreamPart>({
          async pull(controller) {
            try {
              const step = pending ?? (await iterator.next());
              pending = undefined;
              if (step.done) controller.close();
              else controller.enqueue(step.value);
            } catch (error) {
              controller.enqueue({ type: 'error', error });
              controller.close();
            }
          },
          async cancel() {
            await iterator.return?.();
          },
        }),
      };
    },
  };
}

function keyMetadata(key: AttemptKey) {
  return { keyId: key.id, maskedKey: key.masked, attempt: key.attempt };
}

/**
 * One key's stream as an async iterable. Parts before the first content (`stream-start`, `response-metadata`) are held
 * back, so an `error` part in that stretch is thrown and the pool can try another key; after content, an `error` part
 * ends the stream as interrupted. The `finish` part gains `providerMetadata.keypool`.
 */
async function* keyStream(
  model: LanguageModelV4,
  key: AttemptKey,
  call: LanguageModelV4CallOptions,
): AsyncGenerator<LanguageModelV4StreamPart, void, undefined> {
  const { stream } = await model.doStream({ ...call, abortSignal: key.signal });
  const reader = stream.getReader();
  const held: LanguageModelV4StreamPart[] = [];
  let started = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.type === 'error') throw value.error;
      if (!started && (value.type === 'stream-start' || value.type === 'response-metadata')) {
        held.push(value);
        continue;
      }
      if (!started) {
        started = true;
        yield* held;
      }
      yield value.type === 'finish'
        ? { ...value, providerMetadata: { ...value.providerMetadata, keypool: keyMetadata(key) } }
        : value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
