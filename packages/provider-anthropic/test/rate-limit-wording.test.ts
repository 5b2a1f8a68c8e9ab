import { runRateLimitWordingConformance } from '@keypool/core/testing';
import { startCannedHttpServer } from '@keypool/emulator';
import {
  ANTHROPIC_RATE_LIMIT_WORDING,
  classifyAnthropicError,
  createAnthropicAdapter,
  createAnthropicPool,
} from '../src/index.ts';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

runRateLimitWordingConformance({
  name: 'classifyAnthropicError',
  fixtures,
  startServer: startCannedHttpServer,
  key: 'sk-ant-api03-wording-test-00000000000000000000',
  // One message through the real Anthropic SDK.
  send: (origin, key) =>
    createAnthropicAdapter({ baseURL: origin })
      .createClient(key)
      .messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      }),
  chatThroughPool: (origin, key, table) =>
    createAnthropicPool({
      keys: [{ id: 'w', secret: key }],
      maxAttempts: 1,
      rateLimitWording: table,
      clientOptions: { baseURL: origin },
    }).chat({ model: 'claude-3-5-haiku-latest', maxTokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  classify: (error, table) => classifyAnthropicError(error, table),
  wording: ANTHROPIC_RATE_LIMIT_WORDING,
  slowDownBody: {
    type: 'error',
    error: { type: 'invalid_request_error', message: 'Slow down, cowboy.' },
  },
});
