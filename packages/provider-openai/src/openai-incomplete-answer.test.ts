import { runIncompleteAnswerConformance } from '@keypool/core/testing';
import { startRawAnswerServer } from '@keypool/emulator';
import { createOpenAIPool } from './openai-pool';

runIncompleteAnswerConformance({
  startServer: () => startRawAnswerServer({ body: '{}' }),
  chat: (serverURL) =>
    createOpenAIPool({
      keys: [{ id: 'o', secret: 'sk-incomplete-000000000000000000001' }],
      maxAttempts: 1,
      clientOptions: { baseURL: `${serverURL}/v1` },
    }).chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  notAnswers: [
    ['no choices', '{"choices":[]}'],
    [
      'a choice without finish_reason',
      '{"choices":[{"index":0,"message":{"role":"assistant","content":"part"},"finish_reason":null}]}',
    ],
    ['a choice without a message', '{"choices":[{"index":0,"finish_reason":"stop"}]}'],
  ],
  truncated: '{"choices":[{"ind',
});
