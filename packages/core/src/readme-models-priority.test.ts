import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = new URL('./.readme-models-priority.generated.ts', import.meta.url);

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(example, { force: true });
});

it('runs the README models and priority example as written and prints what it says', {
  timeout: 30_000,
}, async () => {
  const section = readme.slice(readme.indexOf('## Keys bound to models, and ordered failover'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const printed = /It prints:\n\n```text\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  expect(code).toContain("strategy: 'priority'");
  // The block goes to a module unchanged and is imported: the code a reader copies.
  await writeFile(example, code);
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => lines.push(parts.join(' ')));
  await import(example.href);
  expect(lines.join('\n')).toBe(printed.trim());
});
