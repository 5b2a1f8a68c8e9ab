import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startStubUpstream } from './stub-upstream';
import { startTestGateway, type TestGateway } from './test-gateway';

let running: TestGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const chains = {
  default: [
    { provider: 'anthropic' as const, model: 'claude-sonnet-down' },
    { provider: 'openai' as const, model: 'gpt-4o-mini' },
  ],
};

describe('chains', () => {
  it('falls back from an overloaded Anthropic model to OpenAI for `chain:default`, plain and streaming', async () => {
    running = await startTestGateway({
      emulator: { acceptAnyKey: true, models: { 'claude-sonnet-down': { overloaded: true } } },
      keys: { anthropic: ['sk-ant-0001'], openai: ['sk-oa-0002'] },
      chains,
      gateway: { models: { smart: 'chain:default' } },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const { data, response } = await openai.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'fall back please' }] })
      .withResponse();
    expect(data.model).toBe('smart');
    expect(data.choices[0]?.message.content).toContain('fall back please');
    expect(response.headers.get('x-keypool-served-by')).toBe('openai:gpt-4o-mini');
    const stream = await openai.chat.completions.create({
      model: 'chain:default',
      messages: [{ role: 'user', content: 'stream after fallback' }],
      stream: true,
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
    }
    expect(text).toContain('stream after fallback');
    expect(finish).toBe('stop');
    expect(running.emulator.requestsFor('sk-ant-0001').length).toBeGreaterThanOrEqual(1);
  });
});

describe('other providers', () => {
  it('serves Gemini and Mistral models to an OpenAI client through their pools', async () => {
    running = await startTestGateway({
      keys: { gemini: ['AIza-gemini-0001'], mistral: ['mistral-key-0002'] },
      chains: { cheap: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
      gateway: { models: { small: 'mistral/mistral-small-latest' } },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    for (const model of ['chain:cheap', 'small']) {
      const answer = await openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: `via ${model}` }],
      });
      expect(answer.choices[0]?.message.content).toContain(`via ${model}`);
    }
    expect(running.emulator.requestsFor('AIza-gemini-0001')).toHaveLength(1);
    expect(running.emulator.requestsFor('mistral-key-0002')).toHaveLength(1);
  });
});

describe('streams', () => {
  it('rotates before the first chunk and reports a cut after it as an error event, never a clean end', async () => {
    running = await startTestGateway({
      emulator: {
        keys: { 'sk-dead-0001': { invalid: true }, 'sk-good-0002': {} },
        models: { 'gpt-cut': { streamCutAfterChunks: 2 } },
      },
      keys: { openai: ['sk-dead-0001', 'sk-good-0002'] },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const fine = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'a b c d e f' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of fine) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('a b c d e f');
    const cut = await openai.chat.completions.create({
      model: 'gpt-cut',
      messages: [{ role: 'user', content: 'one two three four five six seven' }],
      stream: true,
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of cut) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/stream interrupted/);
    expect(received.length).toBeGreaterThan(0);
  });

  it('ends a cross-provider stream cut after its first chunk with the API error event', async () => {
    running = await startTestGateway({
      emulator: { acceptAnyKey: true, models: { 'gpt-cut': { streamCutAfterChunks: 2 } } },
      keys: { openai: ['sk-oa-0001'] },
    });
    const stream = new Anthropic({
      baseURL: running.gateway.url,
      apiKey: 'x',
      maxRetries: 0,
    }).messages.stream({
      model: 'openai/gpt-cut',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'one two three four five six seven' }],
    });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    await expect(stream.finalMessage()).rejects.toThrow(/stream interrupted/);
    expect(deltas.length).toBeGreaterThan(0);
  });

  it('continues a cut stream by prefill on another key: the client reads one whole answer, no error', async () => {
    running = await startTestGateway({
      emulator: {
        acceptAnyKey: true,
        models: { 'mistral-small-cut': { streamCutAfterChunks: 3, streamFaultTimes: 1 } },
      },
      keys: { mistral: ['mistral-key-0001', 'mistral-key-0002'] },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const question = 'the cat saw the cat and the cat sat on the mat near the cat';
    const whole = await openai.chat.completions.create({
      model: 'mistral/mistral-small-cut',
      messages: [{ role: 'user', content: question }],
    });
    const stream = await openai.chat.completions.create({
      model: 'mistral/mistral-small-cut',
      messages: [{ role: 'user', content: question }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(whole.choices[0]?.message.content);
    const streams = running.emulator.requests.filter((entry) => entry.stream);
    expect(streams).toHaveLength(2);
    expect(streams[1]?.prefill).toBeTruthy();
    expect(text.startsWith(streams[1]?.prefill ?? '-')).toBe(true);
  });

  it('ends with the API error event when a cut answer could only restart (never a repeated answer)', async () => {
    running = await startTestGateway({
      emulator: {
        acceptAnyKey: true,
        models: { 'gpt-cut-once': { streamCutAfterChunks: 2, streamFaultTimes: 1 } },
      },
      keys: { openai: ['sk-oa-0001', 'sk-oa-0002'] },
    });
    const stream = new Anthropic({
      baseURL: running.gateway.url,
      apiKey: 'x',
      maxRetries: 0,
    }).messages.stream({
      model: 'openai/gpt-cut-once',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'one two three four five six seven' }],
    });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    await expect(stream.finalMessage()).rejects.toThrow(/could only be restarted/);
    expect(deltas.length).toBe(2);
  });

  it('aborts the upstream call when the client goes away', async () => {
    // An upstream that sends one chunk and then nothing: only the client's going away can end it.
    const upstream = await startStubUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: { content: 'first' }, finish_reason: null }],
      };
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    });
    running = await startTestGateway({
      keys: { openai: ['sk-oa-0001'] },
      gateway: { upstreams: { openai: upstream.baseURL } },
    });
    try {
      const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
      const controller = new AbortController();
      const stream = await openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hang' }], stream: true },
        { signal: controller.signal },
      );
      const iterator = stream[Symbol.asyncIterator]();
      expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('first');
      expect(running.gateway.inFlight()).toBe(1);
      expect(upstream.closedEarly).toBe(0);
      controller.abort();
      await iterator.next().catch(() => undefined);
      await expect.poll(() => running!.gateway.inFlight(), { timeout: 3000 }).toBe(0);
      await expect.poll(() => upstream.closedEarly, { timeout: 3000 }).toBe(1);
      expect(upstream.requests[0]?.authorization).toBe('Bearer sk-oa-0001');
    } finally {
      await upstream.close();
    }
  });
});
