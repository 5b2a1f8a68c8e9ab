import { readFileSync } from 'node:fs';
import { scrubbedError } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { readmeExampleParts } from './testing/readme-example';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

describe('the README section "Secrets never leave the pool"', () => {
  it('is this code, as written, and prints what its comment says', () => {
    const section = readme.slice(readme.indexOf('## Secrets never leave the pool'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const { missingImports, body, region } = readmeExampleParts(block, self);
    expect(missingImports).toEqual([]);
    expect(region).toBe(body);

    const logged: string[] = [];
    const console = { log: (text: string) => logged.push(text) };
    // --- README example start
    const raw = new Error('upstream said: bad key sk-proj-0123456789abcdefghij', {
      cause: Object.assign(new Error('GET /v1/models?key=AIzaSyA1234567890abcdefghij'), {
        headers: new Headers({ authorization: 'Bearer sk-proj-0123456789abcdefghij' }),
      }),
    });
    const safe = scrubbedError(raw, ['sk-proj-0123456789abcdefghij']);
    console.log(safe.message); // upstream said: bad key sk-p...ghij
    // --- README example end
    const expected = [...block.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((match) => match[1]);
    expect(logged).toEqual(expected);
    expect(logged.length).toBeGreaterThan(0);
  });
});
