import { readFileSync } from 'node:fs';
import { expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');

it('the README shows readme-example.ts exactly', () => {
  const [block] = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(block).toBe(example);
});

it('runs the README example: a tool loop through a chain whose primary is overloaded', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import('./readme-example');
    expect(log).toHaveBeenCalledTimes(1);
    const [text, metadata] = log.mock.calls[0] ?? [];
    expect(text).toBe('Tool get_weather returned: {"city":"Paris","c":21}');
    expect(metadata).toMatchObject({
      provider: 'openai',
      stepName: 'openai:gpt-4o',
      keyId: 'gpt-1',
      maskedKey: 'sk-d...pt-1',
    });
  } finally {
    log.mockRestore();
  }
  // The pool retries the overloaded Claude model with jittered backoff before the chain moves on.
}, 20_000);
