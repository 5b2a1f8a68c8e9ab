import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway';

let running: TestGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function client(baseURL: string, apiKey = 'unused') {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0 });
}

describe('the OpenAI-compatible API', () => {
  it('passes a chat completion through and rotates past a dead key', async () => {
    running = await startTestGateway({
      emulator: { keys: { 'sk-dead-0001': { invalid: true }, 'sk-good-0002': {} } },
      keys: { openai: ['sk-dead-0001', 'sk-good-0002'] },
    });
    const openai = client(running.openaiURL);
    for (let index = 0; index < 4; index++) {
      const answer = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `Hello ${index}` }],
      });
      expect(answer.object).toBe('chat.completion');
      expect(answer.choices[0]?.message.content).toContain(`Hello ${index}`);
    }
    const dead = running.emulator.requestsFor('sk-dead-0001');
    expect(dead.length).toBe(1);
    expect(running.emulator.requestsFor('sk-good-0002').length).toBe(4);
  });

  it('streams chunk by chunk with the SDK', async () => {
    running = await startTestGateway({ keys: { openai: ['sk-a-0001'] } });
    const stream = await client(running.openaiURL).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'one two three four five' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: unknown;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('one two three four five');
    expect(chunks).toBeGreaterThan(3);
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });
});
