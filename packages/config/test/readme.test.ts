import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = new URL('./.readme-example.generated.ts', import.meta.url);

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(example, { force: true });
});

it.each([
  '## From a keys file to running pools',
  '## OpenAI-compatible presets and Azure',
  '## Secrets from an external store, refreshed',
])('runs the README example of "%s" as written and prints what the README says', async (heading) => {
  const section = readme.slice(readme.indexOf(heading));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const printed = /It prints:\n\n```text\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  expect(code).toContain('createFromKeysFile');
  // The block is written to a module unchanged and imported: the same code a reader copies.
  await writeFile(example, code);
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  await import(`${example.href}?${encodeURIComponent(heading)}`);
  expect(lines.join('\n')).toBe(printed.trim());
});
