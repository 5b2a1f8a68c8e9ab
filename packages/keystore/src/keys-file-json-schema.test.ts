import { readFileSync, writeFileSync } from 'node:fs';
import { dataPoolOptionNames } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { keysFileJsonSchema } from './keys-file-json-schema';
import { PROVIDER_IDS } from './provider-id';

const committed = new URL('../schema/keypool.schema.json', import.meta.url);

/** The committed file's text as generated (biome may reformat it, so the test compares parsed JSON). */
function schemaFileText(): string {
  return `${JSON.stringify(keysFileJsonSchema(), null, 2)}\n`;
}

describe('keysFileJsonSchema', () => {
  it('matches the committed schema/keypool.schema.json (run with KEYPOOL_UPDATE_SCHEMA=1 to regenerate)', () => {
    if (process.env.KEYPOOL_UPDATE_SCHEMA === '1') writeFileSync(committed, schemaFileText());
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(JSON.parse(schemaFileText()));
  });

  it('describes the file: providers, keys, pools and chains, and forbids unknown fields', () => {
    const schema = keysFileJsonSchema() as {
      $schema: string;
      $id: string;
      additionalProperties: boolean;
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toContain('keypool.schema.json');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual([
      '$schema',
      'version',
      'pool',
      'providers',
      'chains',
      'chain',
    ]);
    expect(Object.keys(schema.properties.providers?.properties ?? {})).toEqual([...PROVIDER_IDS]);
    expect(schema.properties.providers?.properties?.groq).toEqual({ $ref: '#/$defs/provider' });
    expect(schema.properties.providers?.properties?.azure).toEqual({ $ref: '#/$defs/azure' });
    const text = JSON.stringify(schema);
    expect(schema.properties.providers?.properties?.gemini).toEqual({ $ref: '#/$defs/provider' });
    for (const word of [
      '"rpm"',
      '"tpm"',
      '"rpd"',
      '"quotaGroup"',
      '"from"',
      '"strategy"',
      '"contextWindow"',
      '"models"',
      '"priority"',
      '"primary"',
    ]) {
      expect(text).toContain(word);
    }
    expect(text).toContain('"oneOf":[{"required":["from"]},{"required":["secret"]}]');
    // The pool section names every option a pool takes as data (core's list), typed, and no other.
    const pool = schema.properties.pool as {
      properties: Record<string, { type?: string }>;
      additionalProperties: boolean;
    };
    expect(pool.additionalProperties).toBe(false);
    expect(Object.keys(pool.properties)).toEqual(dataPoolOptionNames());
    expect(pool.properties.failureThreshold?.type).toBe('integer');
    expect(pool.properties.retryBackoff?.type).toBe('object');
  });
});
