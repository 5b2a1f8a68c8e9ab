import { dataPoolOptionNames, INTERRUPT_MODES } from '@keypool/core';
import { z } from 'zod';
import {
  KEYS_FILE_POOL_OPTION_DOCS,
  keysFileKeySchema,
  keysFilePoolSchema,
  keysFileSchema,
} from './keys-file-schema';
import { POOL_STRATEGIES } from './pool-options';
import { AZURE_PROVIDER_ID, PROVIDER_IDS } from './provider-id';

interface JsonSchemaObject {
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

const OBJECT_OPTIONS = ['policy', 'cooldown', 'retryBackoff', 'continuation', 'nativeStreams'];
const INTEGER_OPTIONS = ['maxAttempts', 'maxClients', 'historySize', 'failureThreshold'];

/** The JSON type of a pool option, for editors (core checks the values themselves). */
function poolOptionType(name: string): Record<string, unknown> {
  if (name === 'strategy') return { enum: [...POOL_STRATEGIES] };
  if (name === 'onInterrupt') return { enum: [...INTERRUPT_MODES] };
  if (name === 'adaptiveLimits') return { type: 'boolean' };
  if (OBJECT_OPTIONS.includes(name)) return { type: 'object' };
  return { type: INTEGER_OPTIONS.includes(name) ? 'integer' : 'number' };
}

/** Where the published JSON Schema of the keys file lives. */
export const KEYS_FILE_SCHEMA_ID = 'https://unpkg.com/@keypool/keystore/schema/keypool.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a keys file, generated from `keysFileSchema`, for editors (`"$schema"`) and other
 * tools. The rules a JSON Schema cannot say (unique key ids per provider, `baseMs <= maxMs`) are checked by
 * `parseKeysFile` only. A copy is committed as `schema/keypool.schema.json`; a test keeps it up to date.
 */
export function keysFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(keysFileSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override: (context) => {
      if (context.zodSchema === keysFileKeySchema) {
        // The "exactly one of from / secret" rule is a refinement; say it in JSON Schema terms too.
        context.jsonSchema.oneOf = [{ required: ['from'] }, { required: ['secret'] }];
      }
      if (context.zodSchema === keysFilePoolSchema) {
        // Pool options are checked by core's rules; the schema names them (every option a pool takes as data).
        const description = context.jsonSchema.description;
        for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
        Object.assign(context.jsonSchema, {
          ...(description ? { description } : {}),
          type: 'object',
          properties: Object.fromEntries(
            dataPoolOptionNames().map((name) => [
              name,
              {
                ...poolOptionType(name),
                ...(KEYS_FILE_POOL_OPTION_DOCS[name]
                  ? { description: KEYS_FILE_POOL_OPTION_DOCS[name] }
                  : {}),
              },
            ]),
          ),
          additionalProperties: false,
        });
      }
    },
  }) as JsonSchemaObject;
  // The provider sections are one schema (Azure's adds its settings): define each once and refer to it.
  const providers = schema.properties?.providers as JsonSchemaObject;
  const sections = providers.properties ?? {};
  const providerSchema = sections.openai;
  const azureSchema = sections[AZURE_PROVIDER_ID];
  for (const provider of PROVIDER_IDS)
    sections[provider] = { $ref: provider === AZURE_PROVIDER_ID ? '#/$defs/azure' : '#/$defs/provider' };
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: KEYS_FILE_SCHEMA_ID,
    title: 'Keypool keys file',
    ...rest,
    $defs: { provider: providerSchema, azure: azureSchema },
  };
}
