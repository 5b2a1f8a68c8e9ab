import { readFileSync } from 'node:fs';
import { createAnthropicPool } from '@keypool/anthropic';
import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { expect, it } from 'vitest';
import { createFallbackChain, createKeypool } from './index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const console = { lines: [] as string[], log: (line: string) => console.lines.push(line) };

it('runs the README registry example as written', async () => {
  const section = readme.slice(readme.indexOf('## One registry for every provider'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim() ?? '';
  const imports = block.slice(0, block.indexOf('\n\n'));
  const start = '// --- README example start\n';
  const region = self
    .slice(self.indexOf(start) + start.length, self.indexOf('  // --- README example end\n'))
    .replace(/^ {2}/gm, '')
    .trim();
  expect(`${imports}\n\n${region}`).toBe(block);

  // --- README example start
  const emulator = await startEmulator({ acceptAnyKey: true });
  const openai = createOpenAIPool({
    keys: [{ id: 'gpt-1', secret: 'sk-demo-0001' }],
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
  const anthropic = createAnthropicPool({
    keys: [{ id: 'claude-1', secret: 'sk-ant-demo-0002' }],
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
  });
  const chain = createFallbackChain([
    { pool: anthropic, model: 'claude-sonnet' },
    { pool: openai, model: 'gpt-4o' },
  ]);
  const keypool = createKeypool({ openai, anthropic, chains: { main: chain } });
  keypool.onAny((event) => {
    if (event.type === 'key.selected') console.log(`${event.provider}: key selected`);
  });
  await chain.chat({ model: '', messages: [{ role: 'user', content: 'Hello!' }] });
  for (const { provider, active, keys, successes } of keypool.status().providers)
    console.log(`${provider}: ${active}/${keys} active, ${successes} served`);
  await keypool.close();
  await emulator.close();
  // --- README example end
  expect(console.lines).toEqual([
    'anthropic: key selected',
    'openai: 1/1 active, 0 served',
    'anthropic: 1/1 active, 1 served',
  ]);
});
