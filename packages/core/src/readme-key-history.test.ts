import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createKeyPool } from './key-pool';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 2, 3, 4, 5) });
});
afterEach(() => {
  vi.useRealTimers();
});

it('runs the README key history example as written', async () => {
  const section = readme.slice(readme.indexOf('## Key history: last failures'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim();
  const start = '// --- README example start\n';
  const region = self
    .slice(self.indexOf(start) + start.length, self.indexOf('  // --- README example end\n'))
    .replace(/^ {2}/gm, '')
    .trim();
  expect(region).toBe(block);

  const adapter = new FakeAdapter({ provider: 'openai' });
  const keys = [{ id: 'team-a', secret: 'sk-readme-history-0123456789abcdef' }];
  const callThatIsRefused = async () => {
    throw new FakeProviderError('auth', { status: 401, code: 'invalid_api_key' }, 'Incorrect API key');
  };
  const lines: string[] = [];
  // --- README example start
  const pool = createKeyPool({ adapter, keys, historySize: 50 }); // 20 by default, 0 keeps none
  await pool.run(callThatIsRefused).catch(() => undefined);
  const revoked = pool.snapshot().find((key) => key.status === 'disabled');
  const why = revoked?.history?.at(-1); // { at, category, status, code, model, scope, attempt, message }
  lines.push(
    `${revoked?.id} disabled at ${new Date(why?.at ?? 0).toISOString()}: ${why?.category} ${why?.status}`,
  );
  // --- README example end
  expect(lines).toEqual(['team-a disabled at 2026-01-02T03:04:05.000Z: auth 401']);
  expect(revoked?.lastFailureAt).toBe(why?.at);
  expect(why?.code).toBe('invalid_api_key');
});
