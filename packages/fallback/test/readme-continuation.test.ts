import { readFileSync } from 'node:fs';
import { createAnthropicPool } from '@keypool/anthropic';
import { readmeExampleParts } from '@keypool/core/testing';
import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createOpenAIPool } from '@keypool/openai';
import { expect, it, onTestFinished, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

// The README's "Streams that survive" example, as written there, with what it logs collected.
it('runs the README continuation example: a cut Claude stream continued by prefill', async () => {
  const block =
    /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('### Streams that survive a cut')))?.[1] ?? '';
  const { missingImports, body, region } = readmeExampleParts(block, self);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const log: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    log.push(String(line));
  });
  onTestFinished(() => spy.mockRestore());
  // --- README example start
  const emulator = await startEmulator({
    acceptAnyKey: true,
    // The first stream of this model is cut (socket destroyed) after four chunks.
    models: { 'claude-haiku-4-5': { streamCutAfterChunks: 4, streamFaultTimes: 1 } },
  });
  const claude = createAnthropicPool({
    keys: [
      { id: 'claude-1', secret: 'sk-ant-demo-0001' },
      { id: 'claude-2', secret: 'sk-ant-demo-0002' },
    ],
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
  });
  const gpt = createOpenAIPool({
    keys: [{ id: 'gpt-1', secret: 'sk-demo-0003' }],
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
  const chain = createFallbackChain([
    { pool: claude, model: 'claude-haiku-4-5' },
    { pool: gpt, model: 'gpt-4o' },
  ]);
  const request = {
    model: '',
    messages: [{ role: 'user' as const, content: 'the cat saw the cat on the mat' }],
  };
  for await (const event of chain.stream(request)) {
    if (event.type === 'delta') console.log(`delta    ${JSON.stringify(event.text)}`);
    if (event.type === 'restart') console.log(`restart  discard ${JSON.stringify(event.discardedText)}`);
    if (event.type === 'done') {
      console.log(`done     ${JSON.stringify(event.result.text)}`);
      for (const c of event.result.continued)
        console.log(
          `continued at ${c.at} by ${c.how}: ${c.from.step} ${c.from.keyId} -> ${c.to.step} ${c.to.keyId}`,
        );
    }
  }
  for (const entry of emulator.requests)
    console.log(
      `emulator ${entry.model} ${entry.keyMasked} ${entry.outcome} prefill=${JSON.stringify(entry.prefill)}`,
    );
  await emulator.close();
  // --- README example end
  const answer = 'Echo: the cat saw the cat on the mat';
  const shown = log
    .filter((line) => line.startsWith('delta'))
    .map((line) => JSON.parse(line.slice(9)) as string);
  expect(shown.join('')).toBe(answer);
  expect(log.filter((line) => line.startsWith('restart'))).toEqual([]);
  expect(log).toContain(`done     ${JSON.stringify(answer)}`);
  expect(log).toContainEqual(
    expect.stringMatching(
      /^continued at 17 by prefill: anthropic:claude-haiku-4-5 claude-\d -> anthropic:claude-haiku-4-5 claude-\d$/,
    ),
  );
  expect(log.filter((line) => line.startsWith('emulator'))).toEqual([
    expect.stringMatching(/^emulator claude-haiku-4-5 sk-a\.\.\.000\d stream_cut prefill=undefined$/),
    expect.stringMatching(/^emulator claude-haiku-4-5 sk-a\.\.\.000\d ok prefill="Echo: the cat"$/),
  ]);
});
