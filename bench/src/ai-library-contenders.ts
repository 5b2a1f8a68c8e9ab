/** The contenders built on AI libraries: ai-retry and ai-fallback (AI SDK), and LangChain's withFallbacks. */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, type LanguageModel } from 'ai';
import { createFallback } from 'ai-fallback';
import { createRetryableModel, error as onError } from 'ai-retry/language-model';
import { type Contender, callWith, MAX_TOKENS, prompt, type Setup, sdkFetch } from './contender-kit.ts';

function aiSdkModels(setup: Setup): LanguageModel[] {
  const models: LanguageModel[] = setup.keys.map((key) =>
    createOpenAI({
      apiKey: key.secret,
      baseURL: setup.openaiBaseURL,
      name: key.id,
      fetch: sdkFetch(setup),
    }).chat(setup.model),
  );
  if (setup.fallback !== undefined) {
    const fallbackKey = setup.fallback.keys[0]!;
    models.push(
      createAnthropic({
        apiKey: fallbackKey.secret,
        baseURL: `${setup.anthropicBaseURL}/v1`,
        fetch: sdkFetch(setup),
      })(setup.fallback.model),
    );
  }
  return models;
}

const rotate = <T>(items: readonly T[], first: number): T[] =>
  items.map((_, i) => items[(first + i) % items.length]!);

/** ai-retry: one retryable model per starting key (rotated per call), the other keys as fallbacks, then a retry. */
export const aiRetry: Contender = {
  id: 'ai-retry',
  label: 'ai-retry (AI SDK)',
  settings:
    'ai 7 + @ai-sdk/openai 4 (one createOpenAI per key, distinct name); createRetryableModel per starting key, ' +
    'rotated per call: retries = [other keys (fallbacks, once each), error.isRetryable().retry({ maxAttempts: 3 }) ' +
    '(honours Retry-After)]; scenario 6 adds the anthropic model after the keys; generateText maxRetries 0',
  async create(setup) {
    const models = aiSdkModels(setup);
    const openaiCount = setup.keys.length;
    const retryables = setup.keys.map((_, first) => {
      const order = [...rotate(models.slice(0, openaiCount), first), ...models.slice(openaiCount)];
      return createRetryableModel({
        model: order[0]! as Parameters<typeof createRetryableModel>[0]['model'],
        retries: [
          ...(order.slice(1) as Parameters<typeof createRetryableModel>[0]['retries']),
          onError.isRetryable(true).retry({ maxAttempts: 3 }),
        ],
      });
    });
    let next = 0;
    return {
      call: (index, signal) => {
        const model = retryables[next++ % retryables.length]!;
        return callWith(setup, () =>
          generateText({
            model,
            prompt: prompt(index),
            maxOutputTokens: MAX_TOKENS,
            maxRetries: 0,
            abortSignal: signal,
          }),
        );
      },
    };
  },
};

/** ai-fallback: one fallback model over the keys in order (it stays on the model it switched to, for 3 min). */
export const aiFallback: Contender = {
  id: 'ai-fallback',
  label: 'ai-fallback (AI SDK)',
  settings:
    'ai 7 + @ai-sdk/openai 4; createFallback({ models: one per key in order (+ anthropic in scenario 6) }), its ' +
    'defaults (sticky switch, modelResetInterval 3 min); generateText default maxRetries (2)',
  async create(setup) {
    const model = createFallback({
      models: aiSdkModels(setup) as Parameters<typeof createFallback>[0]['models'],
    });
    return {
      call: (index, signal) =>
        callWith(setup, () =>
          generateText({ model, prompt: prompt(index), maxOutputTokens: MAX_TOKENS, abortSignal: signal }),
        ),
    };
  },
};

/** LangChain: `ChatOpenAI(...).withFallbacks([...])`, one runnable per starting key, rotated per call. */
export const langchain: Contender = {
  id: 'langchain',
  label: 'LangChain withFallbacks',
  settings:
    '@langchain/openai ChatOpenAI per key with maxRetries 0 (fall back at once), key.withFallbacks(other keys), ' +
    'one runnable per starting key rotated per call; scenario 6 adds ChatAnthropic as the last fallback',
  async create(setup) {
    const models = setup.keys.map(
      (key) =>
        new ChatOpenAI({
          model: setup.model,
          apiKey: key.secret,
          maxRetries: 0,
          maxTokens: MAX_TOKENS,
          configuration: { baseURL: setup.openaiBaseURL, fetch: sdkFetch(setup) },
        }),
    );
    const extra =
      setup.fallback === undefined
        ? []
        : [
            new ChatAnthropic({
              model: setup.fallback.model,
              apiKey: setup.fallback.keys[0]!.secret,
              anthropicApiUrl: setup.anthropicBaseURL,
              maxRetries: 0,
              maxTokens: MAX_TOKENS,
            }),
          ];
    const runnables = models.map((_, first) => {
      const [primary, ...rest] = rotate(models, first);
      return primary!.withFallbacks([...rest, ...extra]);
    });
    let next = 0;
    return {
      call: (index, signal) => {
        const runnable = runnables[next++ % runnables.length]!;
        return callWith(setup, () => runnable.invoke(prompt(index), { signal }));
      },
    };
  },
};
