import { describe, expect, it } from 'vitest';
import { KeysFileError } from './keys-file-error';
import { parseKeysFile } from './parse-keys-file';
import { resolveKeysFile } from './resolve-keys-file';

const A = 'sk-proj-bind-0123456789abcdefXYZ1';
const B = 'sk-proj-bind-0123456789abcdefXYZ2';

function issuesOf(text: string): string[] {
  try {
    parseKeysFile(text, { file: 'keypool.yaml', format: 'yaml' });
  } catch (error) {
    if (KeysFileError.isInstance(error))
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('keys files: models, priority, primary, global pool options, the default chain', () => {
  it('passes models and priority to the key configs, names the primary and the disabled keys', async () => {
    const loaded = parseKeysFile(
      JSON.stringify({
        pool: { strategy: 'priority', deadlineMs: 20_000, cooldown: { baseMs: 500, maxMs: 9_000 } },
        providers: {
          openai: {
            pool: { maxAttempts: 3, cooldown: { maxMs: 4_000 } },
            keys: [
              { id: 'mini', secret: A, models: ['gpt-4o-mini*'], priority: 1 },
              { id: 'main', secret: B, primary: true },
              { id: 'old', from: 'env:UNSET_KEY', disabled: true },
            ],
          },
        },
        chain: [{ provider: 'openai', model: 'gpt-4o-mini' }],
      }),
      { file: 'keypool.json', format: 'json' },
    );
    const resolved = await resolveKeysFile(loaded, { sources: [] });
    expect(resolved.keys.openai.map((key) => ({ ...key, secret: undefined }))).toEqual([
      { id: 'mini', secret: undefined, models: ['gpt-4o-mini*'], priority: 1 },
      { id: 'main', secret: undefined },
    ]);
    expect(resolved.primary).toEqual({ openai: 'main' });
    expect(resolved.disabled).toEqual({ openai: ['old'] });
    expect(resolved.pools.openai).toEqual({
      strategy: 'priority',
      deadlineMs: 20_000,
      maxAttempts: 3,
      cooldown: { baseMs: 500, maxMs: 4_000 },
    });
    expect(resolved.chains).toEqual({ default: [{ provider: 'openai', model: 'gpt-4o-mini' }] });
  });

  it('names every bad field with its path', () => {
    expect(
      issuesOf(`
pool: { strategy: fastest, deadlineMs: -1 }
providers:
  openai:
    keys:
      - { id: a, from: "env:A", models: [], priority: -2 }
`),
    ).toEqual([
      'pool.deadlineMs: deadlineMs must be > 0',
      'pool.strategy: unknown strategy "fastest" (one of health, round-robin, least-used, weighted, random, latency, priority)',
      'providers.openai.keys[0].models: must name at least one model (leave it out to allow every model)',
      'providers.openai.keys[0].priority: must be a non-negative number',
    ]);
    expect(
      issuesOf(`
providers:
  openai:
    keys:
      - { id: b, from: "env:B", primary: true }
      - { id: c, from: "env:C", primary: true }
chain: [{ provider: openai, model: gpt-4o }]
chains: { default: [{ provider: openai, model: gpt-4o }] }
`),
    ).toEqual([
      'chain: the default chain is given twice (chain and chains.default); keep one',
      'providers.openai.keys[1].primary: a provider has one primary key (also keys[0])',
    ]);
  });
});
