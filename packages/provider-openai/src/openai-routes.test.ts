import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './__fixtures__/fake-openai-server';
import { createOpenAIPool, type OpenAIPool } from './openai-pool';
import { OPENAI_ROUTES } from './openai-routes';

const route = (path: string) => OPENAI_ROUTES.find((candidate) => candidate.path === path)!;
const chat = route('chat.completions.create');
const responses = route('responses.create');

describe('OPENAI_ROUTES', () => {
  it('routes every call to the model, plain and streaming', () => {
    expect(OPENAI_ROUTES.map((candidate) => candidate.path)).toEqual([
      'chat.completions.create',
      'chat.completions.parse',
      'responses.create',
      'responses.parse',
      'embeddings.create',
      'completions.create',
    ]);
    expect(chat.streams?.([{ stream: true }])).toBe(true);
    expect(chat.streams?.([{ stream: false }])).toBe(false);
    expect(route('chat.completions.parse').streams?.([{ stream: true }])).toBe(false);
  });

  it('puts the attempt signal into the request options and keeps the caller options, SDK retries off', () => {
    const signal = new AbortController().signal;
    const callerSignal = new AbortController().signal;
    const body = { model: 'm' };
    const [sentBody, options] = chat.withSignal(
      [body, { timeout: 5, signal: callerSignal, maxRetries: 3 }],
      signal,
    );
    expect(sentBody).toBe(body);
    expect(options).toEqual({ timeout: 5, signal, maxRetries: 0 });
    expect(chat.withSignal([body], signal)[1]).toEqual({ signal, maxRetries: 0 });
  });

  it('ends a chat stream at the usage chunk when usage was asked for, else at the finished choice', () => {
    const finished = { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    expect(chat.isTerminal?.(finished)).toBe(true);
    expect(chat.isTerminal?.({ ...finished, usage: null })).toBe(false);
    expect(chat.isTerminal?.({ choices: [], usage: { total_tokens: 9 } })).toBe(true);
    expect(chat.isTerminal?.({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] })).toBe(
      false,
    );
    expect(chat.textOf?.({ choices: [{ delta: { content: 'abc' } }] })).toBe('abc');
    expect(chat.chunkUsageOf?.({ choices: [], usage: { total_tokens: 9 } })).toBe(9);
  });

  it('ends a responses stream at response.completed, .incomplete or .failed', () => {
    expect(responses.isTerminal?.({ type: 'response.completed' })).toBe(true);
    expect(responses.isTerminal?.({ type: 'response.incomplete' })).toBe(true);
    expect(responses.isTerminal?.({ type: 'response.failed' })).toBe(true);
    expect(responses.isTerminal?.({ type: 'response.output_text.delta', delta: 'x' })).toBe(false);
    expect(responses.textOf?.({ type: 'response.output_text.delta', delta: 'x' })).toBe('x');
    expect(
      responses.chunkUsageOf?.({ type: 'response.completed', response: { usage: { total_tokens: 4 } } }),
    ).toBe(4);
  });

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
    // Texts, roles and part types count (about four characters a token); the 4,000-character image URL does not.
    expect(chat.estimateTokens?.([{ messages, max_completion_tokens: 10 }])).toBe(2 + 1 + 1 + 1 + 1 + 3 + 10);
    expect(chat.estimateTokens?.([{ messages: [] }])).toBe(256);
    expect(route('embeddings.create').estimateTokens?.([{ input: ['abcd', 'abcdefgh'] }])).toBe(3);
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
