import { headerUnsafe, poolOptionProblems } from '@keypool/core';
import { z } from 'zod';
import { POOL_STRATEGIES } from './pool-options';
import { AZURE_PROVIDER_ID, PROVIDER_IDS, type ProviderId, unknownProviderMessage } from './provider-id';

/** A reference to a secret held elsewhere: `scheme:reference`, e.g. `env:OPENAI_PROD_KEY` or `vault:openai/main`. */
export const SECRET_REF_PATTERN = /^[a-z][a-z0-9+.-]*:\S+$/;

type IssueInput = { input?: unknown };

/** An error map that says "is required" for a missing field and the given message otherwise. */
function orRequired(message: string) {
  return (issue: IssueInput) => (issue.input === undefined ? 'is required' : message);
}

const nonNegativeNumber = () =>
  z
    .number({ error: orRequired('must be a non-negative number') })
    .finite({ error: 'must be a non-negative number' })
    .nonnegative({ error: 'must be a non-negative number' });

const positiveInteger = () =>
  z
    .number({ error: orRequired('must be a positive integer') })
    .int({ error: 'must be a positive integer' })
    .positive({ error: 'must be a positive integer' });

const name = (what: string) =>
  z
    .string({ error: orRequired(`must be a string (${what})`) })
    .regex(/^\S(.*\S)?$/, { error: 'must not be empty or start or end with whitespace' })
    .max(200, { error: 'must be at most 200 characters' });

/** One key in a keys file. Exactly one of `from` (a reference) or `secret` (inline) is required. */
export const keysFileKeySchema = z
  .strictObject({
    id: name('the key id').describe('A stable name for the key, unique within its provider.'),
    from: z
      .string({ error: 'must be a string like "env:NAME" or "vault:id"' })
      .regex(SECRET_REF_PATTERN, { error: 'must be a reference like "env:NAME" or "vault:id"' })
      .optional()
      .describe(
        'Where the secret comes from: "env:NAME", "vault:id" (or "vault:provider/id"), or another source.',
      ),
    secret: z
      .string({ error: 'must be a string' })
      .regex(/\S/, { error: 'must not be empty or whitespace' })
      .optional()
      .describe('The secret inline. Allowed, but reported as a warning: prefer "from".'),
    weight: z
      .number({ error: 'must be a positive number' })
      .finite({ error: 'must be a positive number' })
      .positive({ error: 'must be a positive number' })
      .optional()
      .describe('Relative share of traffic for the weighted strategy (> 0).'),
    rpm: nonNegativeNumber().optional().describe('Requests per minute this key may send.'),
    tpm: nonNegativeNumber().optional().describe('Tokens per minute this key may use.'),
    rpd: nonNegativeNumber().optional().describe('Requests per day this key may send.'),
    tags: z
      .array(name('a tag'), { error: 'must be a list of strings' })
      .optional()
      .describe('Free-form labels.'),
    quotaGroup: name('the quota group')
      .optional()
      .describe('Keys sharing one provider quota (same organisation or project).'),
    disabled: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('Keep the key in the file but out of the pool (its secret is not resolved).'),
    models: z
      .array(name('a model name or pattern'), { error: 'must be a list of model names or patterns' })
      .min(1, { error: 'must name at least one model (leave it out to allow every model)' })
      .optional()
      .describe(
        'The models this key may serve: names, or patterns where * is any run of characters ("gpt-4o*"). Absent: every model.',
      ),
    priority: nonNegativeNumber()
      .optional()
      .describe('Tier for the "priority" strategy: lower goes first; keys of one priority share the load.'),
    primary: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('The provider\'s primary key: the "priority" strategy tries it before every tier.'),
  })
  .superRefine((key, context) => {
    if ((key.from === undefined) === (key.secret === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [],
        message:
          key.from === undefined
            ? 'needs "from" (a reference like "env:NAME" or "vault:id") or an inline "secret"'
            : 'has both "from" and "secret"; keep one',
      });
    }
    const unsafe = typeof key.secret === 'string' ? headerUnsafe(key.secret.trim()) : undefined;
    if (unsafe) {
      context.addIssue({
        code: 'custom',
        path: ['secret'],
        message: `the secret of key "${key.id}" ${unsafe}; a secret is sent in an HTTP header, which cannot carry it`,
      });
    }
  });

/** What each pool option does, for editors (the JSON Schema); the values are checked by core's own rules. */
export const KEYS_FILE_POOL_OPTION_DOCS: Readonly<Record<string, string>> = {
  strategy: `How the pool picks the next key: ${POOL_STRATEGIES.join(', ')}.`,
  policy:
    'Overrides of the policy table, by error category: { "rate_limit": { "key": "cooldown", "request": "next_key" } }.',
  cooldown:
    'Cooldown bounds after a rate limit without a server hint: baseMs, maxMs, quotaMs, factor, jitter.',
  maxAttempts: 'Attempts per call (default: keys + 2, at most 10).',
  attemptTimeoutMs: "One attempt's timeout, ms.",
  deadlineMs: "A call's total deadline, ms (default 60000).",
  maxWaitMs: 'The longest a call waits in place for a key known to be free soon, ms (default 3000).',
  retryBaseMs: 'The first wait of a retry on the same key, ms.',
  streamIdleTimeoutMs: 'A stream that sends nothing for this long is interrupted, ms.',
  windowMs: 'The length of the rpm/tpm window, ms (default 60000).',
  dayMs: 'The length of the rpd window, ms (default 86400000).',
  firstByteTimeoutMs: "A stream's limit for its first chunk, ms (default 30000).",
  adaptiveLimits: "Learn a key's rate from its 429s when no limit is known (default true).",
  maxClients: 'The most SDK clients kept at once.',
  historySize: "How many of each key's last failures snapshots keep (0 to 1000).",
  failureThreshold: 'Consecutive failures of one kind before a key is cooled or disabled (integer >= 1).',
  failureResetMs: 'A key without failures for this long starts counting again, ms.',
  retryBackoff: 'The backoff of retried attempts: baseMs, factor, maxMs, jitter.',
  onInterrupt: 'What pool.stream does when a stream breaks after output: continue, restart or fail.',
  continuation: 'Stream continuation: capabilities (rules), maxContinuations, maxOverlapWords.',
  nativeStreams:
    'Streams read through pool.client (raw SDK chunks): { "onInterrupt": "continue" | "restart" | "fail" } (default fail).',
};

/**
 * Pool options in a keys file: per provider (`providers.<name>.pool`) or for every provider (top-level `pool`). Every
 * option a key pool accepts as plain data may be set (core's `dataPoolOptionNames()`), checked by core's own rules
 * (`poolOptionProblems`), so a file and `createKeyPool` accept and refuse the same values with the same messages.
 */
export const keysFilePoolSchema = z
  .record(z.string(), z.unknown(), { error: 'must be an object of pool options' })
  .superRefine((pool, context) => {
    for (const problem of poolOptionProblems(pool, { dataOnly: true })) {
      context.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
  });

const httpUrl = (what: string) =>
  z
    .string({ error: `must be a URL (${what})` })
    .refine((value) => /^https?:\/\/\S+$/.test(value) && URL.canParse(value), {
      error: `must be an http or https URL (${what})`,
    });

/** The fields of every provider section: its keys, pool options and where its API lives. */
const providerSectionShape = {
  keys: z.array(keysFileKeySchema, { error: 'must be a list of keys' }).optional(),
  pool: keysFilePoolSchema.optional(),
  baseURL: httpUrl('the API base URL')
    .optional()
    .describe(
      "The provider's API base URL (a proxy, a test server); default: the SDK's, or the preset's (groq, deepseek...).",
    ),
};

function uniqueKeyIds(provider: { keys?: { id: string }[] | undefined }, context: z.RefinementCtx): void {
  const firstIndex = new Map<string, number>();
  provider.keys?.forEach((key, index) => {
    const earlier = firstIndex.get(key.id);
    if (earlier === undefined) {
      firstIndex.set(key.id, index);
    } else {
      context.addIssue({
        code: 'custom',
        path: ['keys', index, 'id'],
        message: `duplicate key id "${key.id}" (also at keys[${earlier}])`,
      });
    }
  });
}

/** One provider's section of a keys file: its keys, pool options and base URL. */
export const keysFileProviderSchema = z.strictObject(providerSectionShape).superRefine(uniqueKeyIds);

/** Azure OpenAI's section: a provider section with the resource's endpoint, API version and deployment. */
export const keysFileAzureSchema = z
  .strictObject({
    ...providerSectionShape,
    endpoint: httpUrl('https://<resource>.openai.azure.com')
      .optional()
      .describe(
        'The resource endpoint, https://<resource>.openai.azure.com (default: AZURE_OPENAI_ENDPOINT).',
      ),
    apiVersion: name('the API version')
      .optional()
      .describe('The api-version sent with every request, e.g. 2024-10-21 (default: OPENAI_API_VERSION).'),
    deployment: name('the deployment name')
      .optional()
      .describe("The deployment every call goes to; without it, the call's model names the deployment."),
  })
  .superRefine(uniqueKeyIds);

const providerSections = Object.fromEntries(
  PROVIDER_IDS.map((provider) => [
    provider,
    (provider === AZURE_PROVIDER_ID ? keysFileAzureSchema : keysFileProviderSchema).optional(),
  ]),
) as {
  [P in ProviderId]: z.ZodOptional<
    P extends 'azure' ? typeof keysFileAzureSchema : typeof keysFileProviderSchema
  >;
};

/** One step of a fallback chain in a keys file. */
export const keysFileChainStepSchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS, {
    error: (issue: IssueInput) =>
      issue.input === undefined
        ? 'is required'
        : typeof issue.input === 'string'
          ? unknownProviderMessage(issue.input)
          : `must be one of ${PROVIDER_IDS.join(', ')}`,
  }),
  model: name('the model name'),
  contextWindow: positiveInteger().optional(),
  maxTokens: positiveInteger().optional(),
  temperature: z
    .number({ error: 'must be a number from 0 to 2' })
    .min(0, { error: 'must be a number from 0 to 2' })
    .max(2, { error: 'must be a number from 0 to 2' })
    .optional(),
});

/** The zod schema of a keys file (`keypool.json`, `keypool.yaml`). */
export const keysFileSchema = z
  .strictObject({
    $schema: z.string({ error: 'must be a string' }).optional().describe('Editor hint; ignored.'),
    version: z.literal(1, { error: 'must be 1' }).optional().describe('The file format version.'),
    pool: keysFilePoolSchema
      .optional()
      .describe("Pool options for every provider; a provider's own pool section overrides them."),
    providers: z
      .strictObject(providerSections, { error: 'must be an object with a section per provider' })
      .optional(),
    chains: z
      .record(
        name('the chain name'),
        z
          .array(keysFileChainStepSchema, { error: 'must be a list of steps' })
          .min(1, { error: 'must have at least one step' }),
        { error: 'must be an object of named chains' },
      )
      .optional()
      .describe('Named fallback chains, tried in order.'),
    chain: z
      .array(keysFileChainStepSchema, { error: 'must be a list of steps' })
      .min(1, { error: 'must have at least one step' })
      .optional()
      .describe('The default fallback chain (the same as chains.default).'),
  })
  .superRefine((file, context) => {
    if (file.chain !== undefined && file.chains?.default !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['chain'],
        message: 'the default chain is given twice (chain and chains.default); keep one',
      });
    }
    for (const provider of PROVIDER_IDS) {
      const keys = file.providers?.[provider]?.keys ?? [];
      const primaries = keys.flatMap((key, index) => (key.primary ? [index] : []));
      for (const index of primaries.slice(1)) {
        context.addIssue({
          code: 'custom',
          path: ['providers', provider, 'keys', index, 'primary'],
          message: `a provider has one primary key (also keys[${primaries[0]}])`,
        });
      }
    }
  })
  .describe('Keypool keys file: keys per provider, pool options and fallback chains.');

/** A keys file, as written (and as validated). */
export type KeysFile = z.output<typeof keysFileSchema>;
/** One key entry of a keys file. */
export type KeysFileKey = z.output<typeof keysFileKeySchema>;
/** One provider's section of a keys file. */
export type KeysFileProvider = z.output<typeof keysFileProviderSchema>;
/** Azure OpenAI's section of a keys file. */
export type KeysFileAzure = z.output<typeof keysFileAzureSchema>;
