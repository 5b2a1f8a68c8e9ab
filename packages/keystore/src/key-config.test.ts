import { parseKeys, STRATEGY_NAMES } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { emptyProviderKeys } from './key-config';
import { keysFromEnv } from './keys-from-env';
import { parseKeysFile } from './parse-keys-file';
import { POOL_STRATEGIES } from './pool-options';
import { PROVIDER_IDS } from './provider-id';
import { resolveKeysFile } from './resolve-keys-file';

describe('the shapes handed to the core', () => {
  it('key configs from env and from a keys file pass the core pool validation unchanged', async () => {
    const fromEnv = keysFromEnv({
      OPENAI_API_KEY: 'sk-a-0123456789abcdef',
      OPENAI_API_KEYS: 'sk-b-0123456789abcdef',
    });
    expect(parseKeys(fromEnv.openai)).toEqual(fromEnv.openai.map((key) => ({ ...key })));

    const { data } = parseKeysFile(
      JSON.stringify({
        providers: {
          openai: {
            keys: [
              {
                id: 'full',
                secret: 'sk-c-0123456789abcdef',
                weight: 2,
                rpm: 10,
                tpm: 1000,
                rpd: 100,
                tags: ['t'],
                quotaGroup: 'g',
              },
            ],
          },
        },
      }),
      { file: 'k.json' },
    );
    const resolved = await resolveKeysFile(data, { sources: [] });
    expect(parseKeys(resolved.keys.openai)).toEqual([
      {
        id: 'full',
        secret: 'sk-c-0123456789abcdef',
        weight: 2,
        limits: { rpm: 10, tpm: 1000, rpd: 100 },
        tags: ['t'],
        quotaGroup: 'g',
      },
    ]);
  });

  it('uses the same strategy names as the core', () => {
    expect([...POOL_STRATEGIES].sort()).toEqual([...STRATEGY_NAMES].sort());
  });

  it('has a list for every provider', () => {
    expect(Object.keys(emptyProviderKeys())).toEqual([...PROVIDER_IDS]);
  });
});
