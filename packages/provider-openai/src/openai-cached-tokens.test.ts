import { startRawAnswerServer } from '@keypool/emulator';
import { expect, it } from 'vitest';
import { createOpenAIPool } from './openai-pool';

it('usage carries the cached input tokens OpenAI reports (prompt_tokens_details.cached_tokens)', async () => {
  const server = await startRawAnswerServer({
    body: JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 5,
        total_tokens: 1205,
        prompt_tokens_details: { cached_tokens: 1024 },
      },
    }),
  });
  try {
    const pool = createOpenAIPool({
      keys: [{ id: 'o', secret: 'sk-cached-tokens-000000000000000001' }],
      clientOptions: { baseURL: `${server.url}/v1` },
    });
    const result = await pool.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.usage).toEqual({
      inputTokens: 1200,
      outputTokens: 5,
      totalTokens: 1205,
      cachedInputTokens: 1024,
    });
  } finally {
    await server.close();
  }
});
