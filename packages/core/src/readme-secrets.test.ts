import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from './index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README section "Secrets never leave the pool"', () => {
  it('runs as written and prints what its comment says', () => {
    const section = readme.slice(readme.indexOf('## Secrets never leave the pool'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const logged: string[] = [];
    const body = code!.replace(/^import \{ (\w+) \} from '@keypool\/core';$/m, 'const { $1 } = core;');
    new Function('core', 'console', body)(core, { log: (text: string) => logged.push(text) });
    const expected = [...code!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((match) => match[1]);
    expect(logged).toEqual(expected);
    expect(logged.length).toBeGreaterThan(0);
  });
});
