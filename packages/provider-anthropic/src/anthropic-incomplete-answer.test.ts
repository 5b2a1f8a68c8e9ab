import { runIncompleteAnswerConformance } from '@keypool/core/testing';
import { startRawAnswerServer } from '@keypool/emulator';
import { createAnthropicPool } from './anthropic-pool.ts';

runIncompleteAnswerConformance({
  startServer: () => startRawAnswerServer({ body: '{}' }),
  chat: (serverURL) =>
    createAnthropicPool({
      keys: [{ id: 'a', secret: 'sk-ant-incomplete-000000000000000001' }],
      maxAttempts: 1,
      clientOptions: { baseURL: serverURL },
    }).chat({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }),
  notAnswers: [
    ['no content', '{"type":"message","role":"assistant","content":[],"stop_reason":"end_turn"}'],
    [
      'content without stop_reason',
      '{"type":"message","role":"assistant","content":[{"type":"text","text":"part"}],"stop_reason":null}',
    ],
  ],
  truncated: '{"type":"message","cont',
});
