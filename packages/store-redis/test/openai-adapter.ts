import type { ClassifiedError, ProviderAdapter } from '@keypool/core';
import OpenAI from 'openai';

/**
 * A minimal OpenAI adapter for these tests and the benchmark (the real one lives in @keypool/openai). It builds one
 * SDK client per key with the SDK's retries off, and classifies what the emulator answers.
 */
export function testOpenAIAdapter(baseURL: string, fetch?: typeof globalThis.fetch): ProviderAdapter<OpenAI> {
  return {
    provider: 'openai',
    setApiKey() {},
    createClient(secret) {
      return new OpenAI({ apiKey: secret, baseURL, maxRetries: 0, ...(fetch ? { fetch } : {}) });
    },
    classifyError(error): ClassifiedError {
      if (error instanceof OpenAI.APIConnectionError) return { category: 'network', message: error.message };
      if (error instanceof OpenAI.APIError) {
        const status = error.status;
        const base = { message: error.message, ...(status !== undefined ? { status } : {}) };
        const retryAfter = Number(error.headers?.get('retry-after-ms') ?? Number.NaN);
        if (status === 401 || status === 403) return { ...base, category: 'auth' };
        if (status === 429) {
          if (error.code === 'insufficient_quota') return { ...base, category: 'quota_exhausted' };
          return {
            ...base,
            category: 'rate_limit',
            ...(retryAfter >= 0 ? { retryAfterMs: retryAfter } : {}),
          };
        }
        if (status !== undefined && status >= 500) return { ...base, category: 'server' };
        return { ...base, category: 'invalid_request' };
      }
      return { category: 'server', message: error instanceof Error ? error.message : String(error) };
    },
    async chat(client, request, context) {
      const completion = await client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
        },
        { signal: context.signal },
      );
      const usage = completion.usage;
      return {
        text: completion.choices[0]?.message.content ?? '',
        finishReason: 'stop',
        usage: {
          inputTokens: usage?.prompt_tokens ?? 0,
          outputTokens: usage?.completion_tokens ?? 0,
          totalTokens: usage?.total_tokens ?? 0,
        },
        model: completion.model,
      };
    },
    // biome-ignore lint/correctness/useYield: streaming is not part of these tests.
    async *stream() {
      throw new Error('the test adapter does not stream');
    },
  };
}
