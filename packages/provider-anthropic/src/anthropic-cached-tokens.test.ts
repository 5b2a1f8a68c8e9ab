import { startRawAnswerServer } from '@keypool/emulator';
import { expect, it } from 'vitest';
import { createAnthropicPool } from './anthropic-pool';

it('usage carries the cache reads Anthropic reports, counted in the input tokens', async () => {
  const server = await startRawAnswerServer({
    body: JSON.stringify({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        output_tokens: 5,
        cache_read_input_tokens: 1024,
        cache_creation_input_tokens: 50,
      },
    }),
  });
  try {
    const pool = createAnthropicPool({
      keys: [{ id: 'a', secret: 'sk-ant-cached-tokens-0000000000000001' }],
      clientOptions: { baseURL: server.url },
    });
    const result = await pool.chat({
      model: 'claude-sonnet-4-5',
      maxTokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(result.usage.cachedInputTokens).toBe(1024);
    expect(result.usage.inputTokens).toBe(100 + 1024 + 50);
    expect(result.usage.outputTokens).toBe(5);
  } finally {
    await server.close();
  }
});
