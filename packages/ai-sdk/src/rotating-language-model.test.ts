import { createOpenAI } from '@ai-sdk/openai';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyAiSdkError } from './classify-ai-sdk-error';
import { createRotatingModel } from './rotating-language-model';

const REVOKED = 'sk-rotate-revoked-00000000000000001';
const NO_QUOTA = 'sk-rotate-no-quota-0000000000000002';
const HEALTHY = 'sk-rotate-healthy-00000000000000003';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    logRawKeys: true,
    keys: { [REVOKED]: { invalid: true }, [NO_QUOTA]: { quotaExhausted: true }, [HEALTHY]: {} },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const model = () =>
  createRotatingModel({
    provider: 'openai',
    keys: [
      { id: 'revoked', secret: REVOKED },
      { id: 'no-quota', secret: NO_QUOTA },
      { id: 'healthy', secret: HEALTHY },
    ],
    strategy: 'round-robin',
    createModel: (apiKey) => createOpenAI({ apiKey, baseURL: emu.baseURLs.openai }).chat('gpt-4o'),
  });

/** The keys the emulator saw, in order. */
const keysSeen = () => emu.requests.map((entry) => entry.key);

describe('createRotatingModel over @ai-sdk/openai', () => {
  it('generateText moves past a revoked and a spent key, and the pool remembers them', async () => {
    const rotating = model();
    const first = await generateText({ model: rotating, prompt: 'hello', maxRetries: 0 });
    expect(first.text).toBe('Echo: hello');
    expect(first.providerMetadata?.keypool).toMatchObject({ keyId: 'healthy', attempt: 3 });
    expect(keysSeen()).toEqual([REVOKED, NO_QUOTA, HEALTHY]);
    const second = await generateText({ model: rotating, prompt: 'again', maxRetries: 0 });
    expect(second.providerMetadata?.keypool).toMatchObject({ keyId: 'healthy', attempt: 1 });
    expect(keysSeen()).toEqual([REVOKED, NO_QUOTA, HEALTHY, HEALTHY]);
    expect(JSON.stringify(second.providerMetadata)).not.toContain(HEALTHY);
  });

  it('streamText retries a stream that fails before its first content on another key', async () => {
    const result = streamText({ model: model(), prompt: 'stream this please', maxRetries: 0 });
    const chunks: string[] = [];
    for await (const text of result.textStream) chunks.push(text);
    expect(chunks.join('')).toBe('Echo: stream this please');
    expect((await result.providerMetadata)?.keypool).toMatchObject({ keyId: 'healthy' });
    expect(keysSeen()).toEqual([REVOKED, NO_QUOTA, HEALTHY]);
  });

  it('classifies AI SDK call errors by status and body', async () => {
    const errors: unknown[] = [];
    for (const secret of [REVOKED, NO_QUOTA]) {
      const single = createOpenAI({ apiKey: secret, baseURL: emu.baseURLs.openai }).chat('gpt-4o');
      errors.push(
        await generateText({ model: single, prompt: 'x', maxRetries: 0 }).catch((error: unknown) => error),
      );
    }
    expect(errors.map((error) => classifyAiSdkError(error).category)).toEqual(['auth', 'quota_exhausted']);
    expect(classifyAiSdkError(new DOMException('stop', 'AbortError')).category).toBe('aborted');
  });
});
