import { runRateLimitWordingConformance } from '@keypool/core/testing';
import { startCannedHttpServer } from '@keypool/emulator';
import {
  classifyGeminiError,
  createGeminiAdapter,
  createGeminiPool,
  GEMINI_RATE_LIMIT_WORDING,
} from '../src/index.ts';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

runRateLimitWordingConformance({
  name: 'classifyGeminiError',
  fixtures,
  startServer: startCannedHttpServer,
  key: 'AIzaWordingTest000000000000000000000001',
  // One request through the real `@google/genai` SDK.
  send: (origin, key) =>
    createGeminiAdapter({ httpOptions: { baseUrl: origin } })
      .createClient(key)
      .models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }),
  chatThroughPool: (origin, key, table) =>
    createGeminiPool({
      keys: [{ id: 'w', secret: key }],
      maxAttempts: 1,
      rateLimitWording: table,
      clientOptions: { httpOptions: { baseUrl: origin } },
    }).chat({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] }),
  classify: (error, table) => classifyGeminiError(error, Date.now(), table),
  wording: GEMINI_RATE_LIMIT_WORDING,
  slowDownBody: { error: { code: 400, message: 'Slow down, cowboy.', status: 'INVALID_ARGUMENT' } },
});
