import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createKeyPool } from './index';
import { FakeAdapter } from './testing';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

// The README's "Streams that survive" example, as written there, and the transcript it shows.
it('runs the core README continuation example and prints its transcript', async () => {
  const section = readme.slice(readme.indexOf('## Streams that survive'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim();
  const transcript = /```text\n([\s\S]*?)```/.exec(section)?.[1]?.trim().split('\n');
  const start = '// --- README example start\n';
  const region = self
    .slice(self.indexOf(start) + start.length, self.indexOf('  // --- README example end\n'))
    .replace(/^ {2}/gm, '')
    .trim();
  expect(region).toBe(block);

  const lines: string[] = [];
  const console = { log: (line: string) => lines.push(line) };
  // --- README example start
  // A fake provider whose first stream breaks after two chunks (`@keypool/core/testing`).
  const adapter = new FakeAdapter({ provider: 'my-api' })
    .script('sk-my-api-key-number-one', {
      type: 'stream',
      chunks: ['Once', ' upon', ' a time.'],
      failAfter: 2,
    })
    .always('sk-my-api-key-number-two', { type: 'stream', chunks: ['Once', ' upon', ' a time.'] });
  const pool = createKeyPool({
    adapter,
    strategy: 'round-robin',
    keys: [
      { id: 'one', secret: 'sk-my-api-key-number-one' },
      { id: 'two', secret: 'sk-my-api-key-number-two' },
    ],
  });
  pool.on('stream.interrupted', (event) =>
    console.log(`event   ${event.keyId} broke after ${event.chars} chars`),
  );
  const request = { model: 'my-model', messages: [{ role: 'user' as const, content: 'A story?' }] };
  for await (const event of pool.stream(request)) {
    if (event.type === 'delta') console.log(`delta   ${JSON.stringify(event.text)}`);
    if (event.type === 'restart') console.log(`restart clear ${JSON.stringify(event.discardedText)}`);
    if (event.type === 'done') {
      const [how] = event.result.continued;
      console.log(
        `done    ${JSON.stringify(event.result.text)} (${how?.how} at ${how?.at}: ${how?.from.keyId} -> ${how?.to.keyId})`,
      );
    }
  }
  // --- README example end
  expect(lines).toEqual(transcript);
  expect(lines.at(-1)).toBe('done    "Once upon a time." (restart at 9: one -> two)');
});
