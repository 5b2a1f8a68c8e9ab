import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createHttpAdapter } from './http-adapter';
import { createKeyPool } from './key-pool';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const ONE = 'sk-my-api-key-number-one';

it('runs the README bring-your-own-HTTP example as written, against a real local HTTP server', async () => {
  const section = readme.slice(readme.indexOf('## Bring your own HTTP (`pool.acquire`)'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim();
  const start = '// --- README example start\n';
  const region = self
    .slice(self.indexOf(start) + start.length, self.indexOf('    // --- README example end\n'))
    .replace(/^ {4}/gm, '')
    .trim();
  expect(region).toBe(block);

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
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '59',
      });
      response.end('{"text":"hello back","usage":{"total_tokens":12}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const printed: unknown[] = [];
  const console = { log: (value: unknown) => printed.push(value) };
  try {
    // --- README example start
    const pool = createKeyPool({
      adapter: createHttpAdapter('my-api'),
      keys: [
        { id: 'one', secret: 'sk-my-api-key-number-one' },
        { id: 'two', secret: 'sk-my-api-key-number-two' },
      ],
    });

    async function complete(prompt: string): Promise<{ text: string }> {
      for (;;) {
        const lease = await pool.acquire({ model: 'my-model', estimatedTokens: 50, deadlineMs: 30_000 });
        const response = await fetch(`${baseUrl}/v1/complete`, {
          method: 'POST',
          headers: { authorization: `Bearer ${lease.secret()}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'my-model', prompt }),
          signal: lease.signal,
        }).catch((error: unknown) => error);
        if (response instanceof Response && response.ok) {
          const answer = (await response.json()) as { text: string; usage: { total_tokens: number } };
          lease.succeed(answer.usage.total_tokens, response.headers);
          return answer;
        }
        const failure =
          response instanceof Response
            ? lease.fail({ status: response.status, headers: response.headers, body: await response.text() })
            : lease.fail(response);
        if (!failure.retry) throw failure.error; // e.g. a 400: no other key would do better
      }
    }
    console.log((await complete('hello')).text); // key "one" answers 429 (retry-after: 5): "two" serves
    // --- README example end
    expect(printed).toEqual(['hello back']);
    expect(seen).toEqual(['one', 'two']);
    const [one, two] = pool.snapshot();
    expect(one?.status).toBe('cooling');
    expect(one?.cooldownRemainingMs).toBeGreaterThan(4_000);
    expect(two?.scopes?.[0]?.learned?.requests).toMatchObject({ limit: 60, remaining: 59 });
    expect(two?.scopes?.[0]?.inFlight).toBe(0);
    // A second call: "one" is cooling, so it goes straight to "two".
    await complete('again');
    expect(seen).toEqual(['one', 'two', 'two']);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
