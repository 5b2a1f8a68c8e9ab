import { runIncompleteAnswerConformance } from '@keypool/core/testing';
import { startRawAnswerServer } from '@keypool/emulator';
import { createGeminiPool } from './gemini-pool.ts';

runIncompleteAnswerConformance({
  startServer: () => startRawAnswerServer({ body: '{}' }),
  chat: (serverURL) =>
    createGeminiPool({
      keys: [{ id: 'g', secret: 'AIzaSyINCOMPLETE-000000000000000000001' }],
      maxAttempts: 1,
      clientOptions: { httpOptions: { baseUrl: serverURL } },
    }).chat({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }),
  notAnswers: [
    ['no candidates', '{"candidates":[]}'],
    ['an unrelated object', '{"hello":"world"}'],
    [
      'a candidate without finishReason',
      '{"candidates":[{"content":{"role":"model","parts":[{"text":"part"}]}}]}',
    ],
    ['a STOP without any content', '{"candidates":[{"finishReason":"STOP"}]}'],
  ],
  truncated: '{"candidates":[{"content":{"parts":[{"te',
  answers: [
    [
      'a MAX_TOKENS stop with no text is still an answer (the budget went to thinking)',
      '{"candidates":[{"finishReason":"MAX_TOKENS"}]}',
    ],
  ],
});
