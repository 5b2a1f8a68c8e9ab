import { runIncompleteAnswerConformance } from '@keypool/core/testing';
import { startRawAnswerServer } from '@keypool/emulator';
import { createMistralPool } from './mistral-pool';

const CHOICELESS =
  '{"id":"x","object":"chat.completion","model":"m","created":1,"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}';

runIncompleteAnswerConformance({
  startServer: () => startRawAnswerServer({ body: '{}' }),
  chat: (serverURL) =>
    createMistralPool({
      keys: [{ id: 'm', secret: 'IncompleteKey0000000000000000001' }],
      maxAttempts: 1,
      clientOptions: { serverURL },
    }).chat({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }),
  notAnswers: [
    ['no choices', `${CHOICELESS},"choices":[]}`],
    [
      'a choice without finish_reason',
      `${CHOICELESS},"choices":[{"index":0,"message":{"role":"assistant","content":"part"},"finish_reason":null}]}`,
    ],
  ],
  truncated: '{"id":"x","choices":[{"ind',
  unreadable: [
    ['a truncated SSE stream', 'data: {"id":"x","choi', 'text/event-stream'],
    ['HTML', '<html><body>hello</body></html>', 'text/html'],
  ],
});
