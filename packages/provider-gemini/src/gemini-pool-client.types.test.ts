import { type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createGeminiPool } from './gemini-pool.ts';

// The types are checked by `pnpm typecheck` (tsc); the runtime checks prove the values behave as the SDK's.
describe('pool.client types are the @google/genai types', () => {
  const pool = createGeminiPool({
    keys: [{ id: 'a', secret: 'AIzaSyTYPES-000000000000000000001' }],
    clientOptions: { httpOptions: { baseUrl: 'http://127.0.0.1:9' } },
  });

  it('is assignable to GoogleGenAI, and is one at runtime', () => {
    expectTypeOf(pool.client).toEqualTypeOf<GoogleGenAI>();
    const asSdk: GoogleGenAI = pool.client;
    expect(asSdk).toBeInstanceOf(GoogleGenAI);
  });

  it('methods return the SDK types', () => {
    expectTypeOf(pool.client.models.generateContent).returns.toEqualTypeOf<
      Promise<GenerateContentResponse>
    >();
    expectTypeOf(pool.client.models.generateContentStream).returns.toEqualTypeOf<
      Promise<AsyncGenerator<GenerateContentResponse>>
    >();
  });
});
