import { runRateLimitWordingConformance } from '@keypool/core/testing';
import { startCannedHttpServer } from '@keypool/emulator';
import {
  classifyOpenAIError,
  createOpenAIAdapter,
  createOpenAIPool,
  OPENAI_RATE_LIMIT_WORDING,
} from '../src/index';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

runRateLimitWordingConformance({
  name: 'classifyOpenAIError',
  fixtures,
  startServer: startCannedHttpServer,
  key: 'sk-wording-test-0000000000000000000000',
  // One chat request through the real `openai` SDK.
  send: (origin, key) =>
    createOpenAIAdapter({ baseURL: `${origin}/v1` })
      .createClient(key)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  chatThroughPool: (origin, key, table) =>
    createOpenAIPool({
      keys: [{ id: 'w', secret: key }],
      maxAttempts: 1,
      rateLimitWording: table,
      clientOptions: { baseURL: `${origin}/v1` },
    }).chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  classify: (error, table) => classifyOpenAIError(error, Date.now(), table),
  wording: OPENAI_RATE_LIMIT_WORDING,
  slowDownBody: { error: { message: 'Slow down, cowboy.', type: 'invalid_request_error' } },
  tooManyRequests503Body: { error: { message: 'Too many requests', type: 'server_error' } },
});
