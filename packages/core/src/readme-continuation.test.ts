import { expect, it } from 'vitest';
import { continuePoolStream, createKeyPool } from './index';
import { FakeAdapter } from './testing';

// The README's "Streams that survive" example, as written there (`console.log` replaced by collecting lines).
it('runs the core README continuation example', async () => {
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
  const request = { model: 'my-model', messages: [{ role: 'user' as const, content: 'A story?' }] };
  for await (const event of continuePoolStream(pool, request, { onInterrupt: 'continue' })) {
    if (event.type === 'delta') console.log(`delta   ${event.text}`);
    if (event.type === 'restart') console.log(`restart (clear "${event.discardedText}")`);
    if (event.type === 'done')
      console.log(`done    ${event.result.text} ${JSON.stringify(event.result.continued)}`);
  }
  // --- README example end
  expect(lines).toEqual([
    'delta   Once',
    'delta    upon',
    'restart (clear "Once upon")',
    'delta   Once',
    'delta    upon',
    'delta    a time.',
    `done    Once upon a time. ${JSON.stringify([
      {
        at: 9,
        from: { provider: 'my-api', model: 'my-model', keyId: 'one' },
        to: { provider: 'my-api', model: 'my-model', keyId: 'two' },
        how: 'restart',
        reason: 'server',
      },
    ])}`,
  ]);
});
