import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { hashVirtualKey } from '../src/virtual-keys';
import { startTestGateway, type TestGateway } from './test-gateway';

let running: TestGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const TEAM_KEY = 'kp-team-a-3f9c1e7d2b';
const LIMITED_KEY = 'kp-limited-8d2e4a1c0f';
const virtualKeys = [
  { id: 'team-a', hash: hashVirtualKey(TEAM_KEY) },
  { id: 'limited', hash: hashVirtualKey(LIMITED_KEY), models: ['gpt-4o-mini'], rpm: 2 },
];
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };

async function failure(
  promise: Promise<unknown>,
): Promise<InstanceType<typeof OpenAI.APIError> & InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    return error as InstanceType<typeof OpenAI.APIError> & InstanceType<typeof Anthropic.APIError>;
  }
  throw new Error('the call did not fail');
}

describe('virtual keys', () => {
  it('answers a wrong key with 401 in each API shape and never calls upstream', async () => {
    running = await startTestGateway({
      keys: { openai: ['sk-up-0001'], anthropic: ['sk-ant-up-0002'] },
      gateway: { virtualKeys },
    });
    const openaiError = await failure(
      new OpenAI({ baseURL: running.openaiURL, apiKey: 'kp-wrong', maxRetries: 0 }).chat.completions.create(
        chat,
      ),
    );
    expect(openaiError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(openaiError.code).toBe('invalid_api_key');
    const anthropicError = await failure(
      new Anthropic({ baseURL: running.gateway.url, apiKey: 'kp-wrong', maxRetries: 0 }).messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(anthropicError).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((anthropicError.error as { error: { type: string } }).error.type).toBe('authentication_error');
    expect(running.emulator.requests).toHaveLength(0);
    const ok = await new OpenAI({
      baseURL: running.openaiURL,
      apiKey: TEAM_KEY,
      maxRetries: 0,
    }).chat.completions.create(chat);
    expect(ok.choices[0]?.message.content).toContain('hello');
  });

  it('limits a key to its models and its rpm, with retry-after', async () => {
    running = await startTestGateway({
      keys: { openai: ['sk-up-0001'] },
      chains: { default: [{ provider: 'openai', model: 'gpt-4o' }] },
      gateway: { virtualKeys },
    });
    const limited = new OpenAI({ baseURL: running.openaiURL, apiKey: LIMITED_KEY, maxRetries: 0 });
    const denied = await failure(limited.chat.completions.create({ ...chat, model: 'chain:default' }));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    await limited.chat.completions.create(chat);
    await limited.chat.completions.create(chat);
    const over = await failure(limited.chat.completions.create(chat));
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(over.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(running.emulator.requests).toHaveLength(2);
    // Another key has its own budget.
    const team = new OpenAI({ baseURL: running.openaiURL, apiKey: TEAM_KEY, maxRetries: 0 });
    await team.chat.completions.create({ ...chat, model: 'chain:default' });
    const models = await team.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['chain:default']);
  });
});

describe('errors in the API shape', () => {
  it('answers 429 with retry-after when every key is cooling down', async () => {
    running = await startTestGateway({
      emulator: { keys: { 'sk-one-0001': { rpm: 1 } } },
      keys: { openai: ['sk-one-0001'] },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    await openai.chat.completions.create(chat);
    const limited = await failure(openai.chat.completions.create(chat));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.message).not.toContain('sk-one-0001');
    const anthropicLimited = await failure(
      new Anthropic({ baseURL: running.gateway.url, apiKey: 'x', maxRetries: 0 }).messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(anthropicLimited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((anthropicLimited.error as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it("passes the provider's own 400 through and names unknown models with 404", async () => {
    running = await startTestGateway({
      emulator: { acceptAnyKey: true, models: { 'gpt-small': { contextWindow: 5 } } },
      keys: { openai: ['sk-up-0001'], anthropic: ['sk-ant-0002'] },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const tooLong = await failure(
      openai.chat.completions.create({
        model: 'gpt-small',
        messages: [{ role: 'user', content: 'a '.repeat(200) }],
      }),
    );
    expect(tooLong).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooLong.code).toBe('context_length_exceeded');
    const missing = await failure(
      new Anthropic({ baseURL: running.gateway.url, apiKey: 'x', maxRetries: 0 }).messages.create({
        model: 'chain:nope',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing.error as { error: { type: string } }).error.type).toBe('not_found_error');
  });
});
