import { describe, expect, it } from 'vitest';
import { dataPoolOptionNames, poolOptionProblems } from './pool-option-problems';

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
  it('runs as written and prints what the README says', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /```ts\n(import \{ poolOptionProblems \} from '@keypool\/core';[\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(block).toBeDefined();
    const printed: unknown[] = [];
    const body = block!.replace("import { poolOptionProblems } from '@keypool/core';", '');
    new Function('poolOptionProblems', 'console', body)(poolOptionProblems, {
      log: (value: unknown) => printed.push(value),
    });
    expect(printed).toEqual([
      [
        'failureThreshold: failureThreshold must be an integer >= 1',
        'retryBackoff.baseMs: baseMs must be <= maxMs',
        'store: store is set in code (createKeyPool), not in a keys file',
      ],
    ]);
    // The comment in the block shows the same lines.
    for (const line of printed[0] as string[]) expect(block).toContain(`'${line}'`);
  });
});
