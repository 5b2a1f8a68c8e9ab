import { readFileSync } from 'node:fs';
import { poolOptionProblems } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { dataPoolOptionNames } from './pool-option-problems';
import { readmeExampleParts } from './testing/readme-example';

const PASTED = 'sk-proj-pastedsecret0123456789abcdef';

describe('poolOptionProblems (pool options given as data, e.g. in a keys file)', () => {
  it("checks values by the pool's own rules, with paths relative to the options", () => {
    expect(
      poolOptionProblems({ retryBackoff: { maxMs: -1 }, failureThreshold: 0, strategy: 'fastest' }),
    ).toEqual([
      { path: ['failureThreshold'], message: 'failureThreshold must be an integer >= 1' },
      { path: ['retryBackoff', 'maxMs'], message: 'maxMs must be >= 0' },
      {
        path: ['strategy'],
        message:
          'unknown strategy "fastest" (one of health, round-robin, least-used, weighted, random, latency, priority)',
      },
    ]);
    expect(poolOptionProblems({ failureThreshold: 2, retryBackoff: { baseMs: 10, maxMs: 50 } })).toEqual([]);
  });

  it('refuses options only code can give when the options are data', () => {
    expect(poolOptionProblems({ store: 'redis' })).toEqual([]);
    expect(
      poolOptionProblems({ store: 'redis', now: 5 }, { dataOnly: true }).map((problem) => problem.path),
    ).toEqual([['store'], ['now']]);
    expect(dataPoolOptionNames()).not.toContain('store');
  });

  it('never echoes a key pasted as a value or as an option name', () => {
    const problems = poolOptionProblems({ strategy: PASTED, [PASTED]: 1 }, { dataOnly: true });
    expect(problems).toHaveLength(2);
    expect(JSON.stringify(problems)).not.toContain('pastedsecret');
  });
});

describe('the README example', () => {
  it('is this code, as written, and prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const self = readFileSync(new URL(import.meta.url), 'utf8');
    const block =
      /```ts\n(import \{ poolOptionProblems \} from '@keypool\/core';[\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const { missingImports, body, region } = readmeExampleParts(block, self);
    expect(missingImports).toEqual([]);
    expect(region).toBe(body);

    const printed: unknown[] = [];
    const console = { log: (value: unknown) => printed.push(value) };
    // --- README example start
    const problems = poolOptionProblems(
      { failureThreshold: 0, retryBackoff: { baseMs: 500, maxMs: 100 }, store: 'redis' },
      { dataOnly: true },
    );
    console.log(problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`));
    // [ 'failureThreshold: failureThreshold must be an integer >= 1',
    //   'retryBackoff.baseMs: baseMs must be <= maxMs',
    //   'store: store is set in code (createKeyPool), not in a keys file' ]
    // --- README example end
    expect(printed).toEqual([
      [
        'failureThreshold: failureThreshold must be an integer >= 1',
        'retryBackoff.baseMs: baseMs must be <= maxMs',
        'store: store is set in code (createKeyPool), not in a keys file',
      ],
    ]);
  });
});
