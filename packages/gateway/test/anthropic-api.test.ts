import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway';

let running: TestGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function client(baseURL: string, apiKey = 'unused') {
  return new Anthropic({ baseURL, apiKey, maxRetries: 0 });
}

describe('the Anthropic Messages API', () => {
  it('passes a message through and rotates past a key whose spend limit is reached', async () => {
    running = await startTestGateway({
      emulator: { keys: { 'sk-ant-spent-0001': { quotaExhausted: true }, 'sk-ant-good-0002': {} } },
      keys: { anthropic: ['sk-ant-spent-0001', 'sk-ant-good-0002'] },
    });
    const anthropic = client(running.gateway.url);
    for (let index = 0; index < 3; index++) {
      const message = await anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: `Hi ${index}` }],
      });
      expect(message.type).toBe('message');
      expect(message.content[0]).toMatchObject({
        type: 'text',
        text: expect.stringContaining(`Hi ${index}`),
      });
    }
    expect(running.emulator.requestsFor('sk-ant-spent-0001')).toHaveLength(1);
    expect(running.emulator.requestsFor('sk-ant-good-0002')).toHaveLength(3);
  });

  it('streams with messages.stream() and gives the final message', async () => {
    running = await startTestGateway({ keys: { anthropic: ['sk-ant-a-0001'] } });
    const stream = client(running.gateway.url).messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'alpha beta gamma delta' }],
    });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toContain('alpha beta gamma delta');
    expect(final.stop_reason).toBe('end_turn');
  });

  it('serves an OpenAI model to an Anthropic client in the Messages shape, streaming too', async () => {
    running = await startTestGateway({
      keys: { openai: ['sk-oa-0001'] },
      gateway: { models: { 'fast-model': 'openai/gpt-4o-mini' } },
    });
    const anthropic = client(running.gateway.url);
    const message = await anthropic.messages.create({
      model: 'fast-model',
      max_tokens: 64,
      system: 'be brief',
      messages: [{ role: 'user', content: 'cross provider' }],
    });
    expect(message.model).toBe('fast-model');
    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('cross provider'),
    });
    const stream = anthropic.messages.stream({
      model: 'fast-model',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'streamed across' }],
    });
    expect(await stream.finalText()).toContain('streamed across');
    expect(running.emulator.requestsFor('sk-oa-0001')).toHaveLength(2);
  });
});
