import { startRawAnswerServer } from '@keypool/emulator';
import { expect, it } from 'vitest';
import { createGeminiPool } from './gemini-pool';

it('usage carries the cached content tokens Gemini reports (cachedContentTokenCount)', async () => {
  const server = await startRawAnswerServer({
    body: JSON.stringify({
      candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: 1200,
        candidatesTokenCount: 5,
        totalTokenCount: 1205,
        cachedContentTokenCount: 1024,
      },
      modelVersion: 'gemini-2.5-flash',
    }),
  });
  try {
    const pool = createGeminiPool({
      keys: [{ id: 'g', secret: 'AIzaCachedTokens00000000000000000001' }],
      clientOptions: { httpOptions: { baseUrl: server.url } },
    });
    const result = await pool.chat({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(result.usage).toMatchObject({ inputTokens: 1200, outputTokens: 5, cachedInputTokens: 1024 });
  } finally {
    await server.close();
  }
});
