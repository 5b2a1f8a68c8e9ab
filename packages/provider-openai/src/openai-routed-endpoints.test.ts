import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './__fixtures__/fake-openai-server';
import { createOpenAIPool, type OpenAIPool } from './openai-pool';
import { estimateOpenAIRequestTokens } from './openai-request-tokens';

describe('estimateOpenAIRequestTokens', () => {
  it('estimates tokens from the text only, plus the completion budget', () => {
    const messages = [
      { role: 'user', content: 'abcdefgh' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'abcd' },
          { type: 'image_url', image_url: { url: 'x'.repeat(4000) } },
        ],
      },
    ];
    const chat = (body: object) =>
      estimateOpenAIRequestTokens({ method: 'post', path: '/chat/completions', body });
    // Texts, roles and part types count (about four characters a token); the 4,000-character image URL does not.
    expect(chat({ messages, max_completion_tokens: 10 })).toBe(2 + 1 + 1 + 1 + 1 + 3 + 10);
    expect(chat({ messages: [] })).toBe(256);
    expect(
      estimateOpenAIRequestTokens({
        method: 'post',
        path: '/embeddings',
        body: { input: ['abcd', 'abcdefgh'] },
      }),
    ).toBe(3);
    expect(estimateOpenAIRequestTokens({ method: 'get', path: '/models' })).toBeUndefined();
  });
});

describe('pool.client: other endpoints and the SDK helpers', () => {
  let fake: FakeOpenAIServer;
  let emulator: Emulator;
  const BAD = 'sk-bad-routes-000000000000000001';
  const GOOD = 'sk-good-routes-00000000000000002';

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    emulator = await startEmulator({ windowMs: 1000, keys: { [BAD]: { invalid: true }, [GOOD]: {} } });
  });
  afterAll(async () => {
    await fake.close();
    await emulator.close();
  });

  const pool = (baseURL: string): OpenAIPool =>
    createOpenAIPool({
      keys: [
        { id: 'bad', secret: BAD },
        { id: 'good', secret: GOOD },
      ],
      strategy: 'round-robin',
      clientOptions: { baseURL },
    });

  it('routes responses.create (plain and streaming), failing over from an invalid key', async () => {
    const target = pool(fake.baseURL);
    const response = await target.client.responses.create({ model: 'gpt-4.1', input: 'hello' });
    expect(response.output_text).toBe('Hello there');
    expect(fake.requests.map((request) => [request.key, request.status])).toEqual([
      [BAD, 401],
      [GOOD, 200],
    ]);
    const stream = await target.client.responses.create({ model: 'gpt-4.1', input: 'hello', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([
      'response.created',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(fake.requests.at(-1)).toMatchObject({ key: GOOD, stream: true });
    expect(target.snapshot()[1]?.counts.successes).toBe(2);
  });

  it('routes the responses.stream() helper through the pool', async () => {
    const target = pool(fake.baseURL);
    const stream = target.client.responses.stream({ model: 'gpt-4.1', input: 'hello' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.id).toBe('resp_fake');
    expect(deltas.join('')).toBe('Hello there');
    expect(fake.requests.at(-1)).toMatchObject({ key: GOOD, stream: true, path: '/responses' });
  });

  it('routes responses.parse, embeddings.create and completions.create (plain and streaming)', async () => {
    const target = pool(fake.baseURL);
    const before = fake.requests.length;
    const parsed = await target.client.responses.parse({ model: 'gpt-4.1', input: 'hello' });
    expect(parsed.output_text).toBe('Hello there');
    const embedding = await target.client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
    });
    expect(embedding.data[0]?.embedding).toEqual([0.1, 0.2, 0.3]);
    const completion = await target.client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'hi',
    });
    expect(completion.choices[0]?.text).toBe('Hello there');
    const stream = await target.client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'hi',
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('Hello there');
    expect(fake.requests.slice(before).filter((request) => request.key === BAD)).toHaveLength(1);
    expect(target.snapshot()[0]?.status).toBe('disabled');
  });

  it('routes chat.completions.parse, .stream() and .runTools() through the pool', async () => {
    const target = pool(emulator.baseURLs.openai);
    const messages = [{ role: 'user' as const, content: 'helpers please' }];
    const parsed = await target.client.chat.completions.parse({ model: 'gpt-4o', messages });
    expect(parsed.choices[0]?.message.content).toBe('Echo: helpers please');

    const stream = target.client.chat.completions.stream({ model: 'gpt-4o', messages });
    const deltas: string[] = [];
    stream.on('content', (delta) => deltas.push(delta));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Echo: helpers please');
    expect(deltas.join('')).toBe('Echo: helpers please');

    const runner = target.client.chat.completions.runTools({
      model: 'gpt-4o',
      messages,
      tools: [
        {
          type: 'function',
          function: {
            name: 'noop',
            description: 'does nothing',
            parameters: { type: 'object', properties: {} },
            function: () => 'ok',
            parse: JSON.parse,
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('Echo: helpers please');
    expect(emulator.requestsFor(BAD)).toHaveLength(1);
    expect(emulator.requestsFor(GOOD)).toHaveLength(3);
  });
});
