import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  adaptiveLimiter,
  classifyHttpFailure,
  createPoolEngine,
  type ProviderAdapter,
  prioritySelector,
} from '@keypool/core/engine';
import { expect, it } from 'vitest';
import { readmeExampleParts } from './testing/readme-example';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const ONE = 'sk-my-api-key-number-one';

it('runs the README lean-engine example as written, against a real local HTTP server', async () => {
  const section = readme.slice(readme.indexOf('## Lean engine for edge bundles (`@keypool/core/engine`)'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim() ?? '';
  const { missingImports, body, region } = readmeExampleParts(block, self);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const seen: string[] = [];
  const server = createServer((request, response) => {
    const key = String(request.headers.authorization).replace('Bearer ', '');
    seen.push(key === ONE ? 'one' : 'two');
    request.resume();
    request.on('end', () => {
      if (key === ONE) {
        response.writeHead(429, { 'retry-after': '5', 'content-type': 'application/json' });
        response.end('{"error":{"message":"Too many requests","code":"rate_limit_exceeded"}}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"text":"hello back","usage":{"total_tokens":12}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const printed: unknown[] = [];
  const console = { log: (value: unknown) => printed.push(value) };
  try {
    // --- README example start
    // A client per key: a fetch with the key in its header. A failed answer is thrown with its status, headers and body.
    type Client = (path: string, body: unknown) => Promise<{ text: string; usage: { total_tokens: number } }>;
    const adapter: ProviderAdapter<Client> = {
      provider: 'my-api',
      setApiKey() {},
      createClient: (secret) => async (path, body) => {
        const response = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!response.ok)
          throw Object.assign(new Error(`HTTP ${response.status}`), {
            status: response.status,
            headers: response.headers,
            body: await response.text(),
          });
        return response.json();
      },
      classifyError: (error) => classifyHttpFailure(error as { status: number }, Date.now()),
      chat: async (client, request) => {
        const answer = await client('/v1/complete', { model: request.model, messages: request.messages });
        const usage = { inputTokens: 0, outputTokens: 0, totalTokens: answer.usage.total_tokens };
        return { text: answer.text, finishReason: 'stop', model: request.model, usage };
      },
      stream: async function* (client, request) {
        const answer = await client('/v1/complete', { model: request.model, messages: request.messages });
        yield { type: 'delta', text: answer.text };
        const usage = { inputTokens: 0, outputTokens: 0, totalTokens: answer.usage.total_tokens };
        yield { type: 'done', finishReason: 'stop', usage };
      },
    };

    const engine = createPoolEngine({
      adapter,
      keys: [
        { id: 'one', secret: 'sk-my-api-key-number-one', limits: { rpm: 60 } },
        { id: 'two', secret: 'sk-my-api-key-number-two' },
      ],
      strategy: prioritySelector(), // the first usable key takes the traffic; the next one takes over while it cools
      adaptiveLimits: adaptiveLimiter(), // key two has no limit: learn its rate from its 429s
    });
    engine.on('key.cooldown', (event) => console.log(`${event.keyId} cools for ${event.durationMs} ms`));

    const answer = await engine.chat({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
    console.log(`${answer.text} (key ${answer.keyId})`);
    for await (const event of engine.stream({
      model: 'my-model',
      messages: [{ role: 'user', content: 'again' }],
    }))
      if (event.type === 'delta') console.log(event.text);
    // --- README example end
    expect(printed).toEqual(['one cools for 5000 ms', 'hello back (key two)', 'hello back']);
    // The cooling key was not sent the second call: it went straight to the other key.
    expect(seen).toEqual(['one', 'two', 'two']);
    expect(JSON.stringify(printed)).not.toContain('sk-my-api');
    await engine.close();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
