import { AuthenticationError, AzureOpenAI, NotFoundError, RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

let emu: Emulator;
const GOOD = 'azure0good0123456789abcdef012345';
const LIMITED = 'azure0limited456789abcdef012345';
const API_VERSION = '2024-10-21';

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 60_000, keys: { [GOOD]: {}, [LIMITED]: { rpm: 1 } } });
});
afterAll(() => emu.close());

function azure(apiKey: string, deployment?: string): AzureOpenAI {
  return new AzureOpenAI({
    apiKey,
    endpoint: emu.azureOpenAIEndpoint,
    apiVersion: API_VERSION,
    maxRetries: 0,
    ...(deployment ? { deployment } : {}),
  });
}

const messages = [{ role: 'user' as const, content: 'hello azure' }];

describe('azure-openai dialect (the real AzureOpenAI client)', () => {
  it('answers a deployment with the key in api-key, and logs it under azure-openai', async () => {
    const completion = await azure(GOOD).chat.completions.create({ model: 'my-gpt4o', messages });
    expect(completion.choices[0]?.message.content).toBe('Echo: hello azure');
    expect(completion.model).toBe('my-gpt4o');
    expect(emu.requestsFor(GOOD).at(-1)).toMatchObject({
      provider: 'azure-openai',
      model: 'my-gpt4o',
      path: '/azure/openai/deployments/my-gpt4o/chat/completions',
      status: 200,
    });
  });

  it("words refusals as Azure does: 401, a 429 with retry-after and Azure's x-ratelimit-remaining only", async () => {
    const denied = await azure('azure0wrong0123456789abcdef01234')
      .chat.completions.create({ model: 'my-gpt4o', messages })
      .catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(AuthenticationError);
    expect((denied as AuthenticationError).error).toMatchObject({ code: '401' });

    const first = await azure(LIMITED, 'dep')
      .chat.completions.create({ model: 'x', messages })
      .withResponse();
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const limited = await azure(LIMITED, 'dep')
      .chat.completions.create({ model: 'x', messages })
      .then(
        () => undefined,
        (error: unknown) => error as RateLimitError,
      );
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(Number(limited?.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(limited?.message).toMatch(/Please retry after \d+ seconds?\./);
  });

  it('answers a deployment that does not exist, and a call without api-version, with 404', async () => {
    emu.setModelBehaviour('missing-deployment', { notFound: true });
    const missing = await azure(GOOD)
      .chat.completions.create({ model: 'missing-deployment', messages })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe('DeploymentNotFound');
    const bare = await fetch(`${emu.azureOpenAIEndpoint}/openai/deployments/d/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': GOOD, 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    expect(bare.status).toBe(404);
  });
});
