import { runRateLimitWordingConformance } from '@keypool/core/testing';
import { startCannedHttpServer } from '@keypool/emulator';
import {
  classifyMistralError,
  createMistralAdapter,
  createMistralPool,
  MISTRAL_RATE_LIMIT_WORDING,
} from '../src/index';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

runRateLimitWordingConformance({
  name: 'classifyMistralError',
  fixtures,
  startServer: startCannedHttpServer,
  key: 'mistral-wording-test-000000000000001',
  // One chat through the real `@mistralai/mistralai` SDK.
  send: (origin, key) =>
    createMistralAdapter({ serverURL: origin })
      .createClient(key)
      .chat.complete({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }),
  chatThroughPool: (origin, key, table) =>
    createMistralPool({
      keys: [{ id: 'w', secret: key }],
      maxAttempts: 1,
      rateLimitWording: table,
      clientOptions: { serverURL: origin },
    }).chat({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }),
  classify: (error, table) => classifyMistralError(error, table),
  wording: MISTRAL_RATE_LIMIT_WORDING,
  slowDownBody: { object: 'error', message: 'Slow down, cowboy.', type: 'invalid_request_error' },
});
