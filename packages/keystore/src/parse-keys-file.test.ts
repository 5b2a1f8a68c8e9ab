import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatIssuePath } from './format-issue-path';
import { KeysFileError } from './keys-file-error';
import { parseKeysFile } from './parse-keys-file';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

/** The KeysFileError thrown by parsing `value` (as JSON) under the name keypool.json. */
function errorFor(value: unknown, file = 'keypool.json'): KeysFileError {
  try {
    parseKeysFile(typeof value === 'string' ? value : JSON.stringify(value), { file });
  } catch (error) {
    if (KeysFileError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a KeysFileError');
}

const withKey = (key: Record<string, unknown>, provider = 'openai') => ({
  providers: { [provider]: { keys: [{ id: 'a', from: 'env:A' }, { id: 'b', from: 'env:B' }, key] } },
});

describe('parseKeysFile', () => {
  it('reads the JSON and YAML fixtures to the same data', () => {
    const json = parseKeysFile(fixture('keypool.json'), { file: 'keypool.json' });
    const yaml = parseKeysFile(fixture('keypool.yaml'), { file: 'keypool.yaml' });
    expect(json.format).toBe('json');
    expect(yaml.format).toBe('yaml');
    expect(JSON.parse(JSON.stringify(yaml.data))).toEqual(JSON.parse(JSON.stringify(json.data)));
    expect(json.data.providers?.openai?.keys?.map((key) => key.id)).toEqual(['prod-1', 'prod-2', 'old']);
    expect(json.data.providers?.openai?.pool).toEqual({
      strategy: 'weighted',
      cooldown: { baseMs: 1000, maxMs: 60000 },
    });
    expect(json.data.chains?.default?.map((step) => step.model)).toEqual([
      'gpt-4o-mini',
      'claude-3-5-haiku-latest',
    ]);
  });

  it('reports an inline secret as a warning naming file, path and key, and masks it in output', () => {
    const result = parseKeysFile(fixture('keypool.yml'.replace('yml', 'yaml')), {
      file: 'keys/keypool.yaml',
    });
    expect(result.warnings).toEqual([
      {
        code: 'inline_secret',
        file: 'keys/keypool.yaml',
        path: 'providers.anthropic.keys[0].secret',
        provider: 'anthropic',
        keyId: 'inline',
        message: expect.stringContaining(
          'keys/keypool.yaml: providers.anthropic.keys[0].secret: key "inline"',
        ),
      },
    ]);
    const inline = result.data.providers?.anthropic?.keys?.[0];
    expect(inline?.secret).toBe('sk-ant-inline-0123456789abcdef');
    for (const text of [
      JSON.stringify(result),
      inspect(result, { depth: 10 }),
      JSON.stringify(result.warnings),
    ]) {
      expect(text).not.toContain('inline-0123456789');
    }
  });

  it('picks the format from the extension, or the option', () => {
    expect(parseKeysFile('providers: {}', { file: 'a.yml' }).format).toBe('yaml');
    expect(parseKeysFile('providers: {}', { file: 'a.conf', format: 'yaml' }).format).toBe('yaml');
    expect(parseKeysFile('{}', { file: 'a.json' }).data).toEqual({});
  });

  it.each([
    [
      'a negative rpm',
      withKey({ id: 'c', from: 'env:C', rpm: -1 }),
      'providers.openai.keys[2].rpm: must be a non-negative number',
    ],
    [
      'a string tpm',
      withKey({ id: 'c', from: 'env:C', tpm: '100' }),
      'providers.openai.keys[2].tpm: must be a non-negative number',
    ],
    [
      'a zero weight',
      withKey({ id: 'c', from: 'env:C', weight: 0 }),
      'providers.openai.keys[2].weight: must be a positive number',
    ],
    ['a missing id', withKey({ from: 'env:C' }), 'providers.openai.keys[2].id: is required'],
    ['a blank id', withKey({ id: '  ', from: 'env:C' }), 'providers.openai.keys[2].id: must not be empty'],
    [
      'an empty secret',
      withKey({ id: 'c', secret: '' }),
      'providers.openai.keys[2].secret: must not be empty or whitespace',
    ],
    [
      'a whitespace secret',
      withKey({ id: 'c', secret: ' \t ' }),
      'providers.openai.keys[2].secret: must not be empty or whitespace',
    ],
    ['neither from nor secret', withKey({ id: 'c' }), 'providers.openai.keys[2]: needs "from"'],
    [
      'both from and secret',
      withKey({ id: 'c', from: 'env:C', secret: 'x' }),
      'providers.openai.keys[2]: has both "from" and "secret"',
    ],
    [
      'a malformed reference',
      withKey({ id: 'c', from: 'OPENAI_KEY' }),
      'providers.openai.keys[2].from: must be a reference like "env:NAME"',
    ],
    [
      'an empty reference',
      withKey({ id: 'c', from: 'env:' }),
      'providers.openai.keys[2].from: must be a reference',
    ],
    [
      'a duplicate id',
      withKey({ id: 'a', from: 'env:C' }),
      'providers.openai.keys[2].id: duplicate key id "a" (also at keys[0])',
    ],
    [
      'an unknown field',
      withKey({ id: 'c', from: 'env:C', rmp: 5 }),
      'providers.openai.keys[2]: unknown field "rmp"',
    ],
    [
      'tags that are not strings',
      withKey({ id: 'c', from: 'env:C', tags: [1] }),
      'providers.openai.keys[2].tags[0]: must be a string',
    ],
    [
      'a blank quota group',
      withKey({ id: 'c', from: 'env:C', quotaGroup: '' }),
      'providers.openai.keys[2].quotaGroup: must not be empty',
    ],
    [
      'disabled not boolean',
      withKey({ id: 'c', from: 'env:C', disabled: 'yes' }),
      'providers.openai.keys[2].disabled: must be true or false',
    ],
    [
      'an unknown provider',
      { providers: { cohere: {} } },
      'providers: unknown provider "cohere"; known: openai,',
    ],
    [
      'a mistyped preset',
      { providers: { groqq: {} } },
      'providers: unknown provider "groqq" (did you mean "groq"?)',
    ],
    [
      'Azure under its label',
      { providers: { 'azure-openai': {} } },
      'providers: unknown provider "azure-openai" (did you mean "azure"?)',
    ],
    [
      'Azure settings in a preset section',
      { providers: { groq: { endpoint: 'https://x.openai.azure.com' } } },
      'providers.groq: unknown field "endpoint"',
    ],
    [
      'a base URL that is not http',
      { providers: { groq: { baseURL: 'ftp://example.com' } } },
      'providers.groq.baseURL: must be an http or https URL',
    ],
    [
      'keys not a list',
      { providers: { gemini: { keys: {} } } },
      'providers.gemini.keys: must be a list of keys',
    ],
    [
      'an unknown strategy',
      { providers: { mistral: { pool: { strategy: 'fastest' } } } },
      'providers.mistral.pool.strategy: unknown strategy "fastest" (one of health, round-robin',
    ],
    [
      'maxMs below baseMs',
      { providers: { openai: { pool: { cooldown: { baseMs: 10, maxMs: 5 } } } } },
      'providers.openai.pool.cooldown.baseMs: baseMs must be <= maxMs',
    ],
    [
      'a negative baseMs',
      { providers: { openai: { pool: { cooldown: { baseMs: -5 } } } } },
      'providers.openai.pool.cooldown.baseMs: baseMs must be >= 0',
    ],
    [
      'jitter above 1',
      { providers: { openai: { pool: { cooldown: { jitter: 2 } } } } },
      'providers.openai.pool.cooldown.jitter: jitter must be between 0 and 1',
    ],
    ['an empty chain', { chains: { default: [] } }, 'chains.default: must have at least one step'],
    [
      'a chain step with an unknown provider',
      { chains: { main: [{ provider: 'x', model: 'm' }] } },
      'chains.main[0].provider: unknown provider "x"; known: openai, anthropic, gemini, mistral, deepseek, groq,',
    ],
    [
      'a chain step with a mistyped preset',
      { chains: { main: [{ provider: 'deepsek', model: 'm' }] } },
      'chains.main[0].provider: unknown provider "deepsek" (did you mean "deepseek"?)',
    ],
    [
      'a chain step without a model',
      { chains: { main: [{ provider: 'openai' }] } },
      'chains.main[0].model: is required',
    ],
    [
      'a fractional context window',
      { chains: { main: [{ provider: 'openai', model: 'm', contextWindow: 1.5 }] } },
      'chains.main[0].contextWindow: must be a positive integer',
    ],
    [
      'a temperature out of range',
      { chains: { main: [{ provider: 'openai', model: 'm', temperature: 3 }] } },
      'chains.main[0].temperature: must be a number from 0 to 2',
    ],
    ['a wrong version', { version: 2 }, 'version: must be 1'],
    ['a top-level typo', { provider: {} }, '(root): unknown field "provider"'],
    ['a list at the top', [], '(root): must be an object'],
  ])('rejects %s, naming the file and the path', (_name, value, expected) => {
    const error = errorFor(value);
    expect(error.code).toBe('keys_file_invalid');
    expect(error.file).toBe('keypool.json');
    expect(error.message).toContain(`keypool.json: ${expected}`);
    for (const issue of error.issues)
      expect(error.message).toContain(`keypool.json: ${issue.path}: ${issue.message}`);
  });

  it('reports every problem at once', () => {
    const error = errorFor({
      providers: {
        openai: {
          keys: [
            { id: 'a', from: 'env:A', rpm: -1 },
            { id: 'a', secret: '' },
          ],
        },
      },
      chains: { x: [] },
    });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'chains.x',
      'providers.openai.keys[0].rpm',
      'providers.openai.keys[1].id',
      'providers.openai.keys[1].secret',
    ]);
    expect(error.message.split('\n')[0]).toBe('keypool.json: 4 problems');
  });

  it('reports the YAML file name and path for YAML files', () => {
    const text = 'providers:\n  anthropic:\n    keys:\n      - id: a\n        from: env:A\n        rpd: -3\n';
    expect(() => parseKeysFile(text, { file: 'conf/keypool.yml' })).toThrowError(
      'conf/keypool.yml: providers.anthropic.keys[0].rpd: must be a non-negative number',
    );
  });

  it('reports JSON syntax errors with a position and without quoting the text', () => {
    const error = errorFor(
      '{\n  "providers": {\n    "openai": { "keys": [{ "id": "a", "secret": sk-live-1234567890 }] }\n}',
    );
    expect(error.message).toMatch(/^keypool\.json: \(root\): not valid JSON \(line 3, column \d+\)$/);
    expect(error.message).not.toContain('sk-live');
    expect(error.issues[0]?.line).toBe(3);
  });

  it('reports YAML syntax errors with a position and without quoting the text', () => {
    const error = (() => {
      try {
        parseKeysFile('providers:\n  openai:\n    keys: [ { id: a, secret: "sk-live-1234567890 }\n', {
          file: 'keypool.yaml',
        });
      } catch (caught) {
        return caught as KeysFileError;
      }
    })();
    expect(KeysFileError.isInstance(error)).toBe(true);
    expect(error?.message).toMatch(/keypool\.yaml: \(root\): not valid YAML: .* \(line \d+, column \d+\)/);
    expect(error?.message).not.toContain('sk-live');
  });

  it('rejects duplicate keys in YAML and an empty file', () => {
    expect(() => parseKeysFile('version: 1\nversion: 1\n', { file: 'k.yaml' })).toThrowError(
      /k\.yaml: \(root\): not valid YAML/,
    );
    expect(() => parseKeysFile('  \n', { file: 'k.json' })).toThrowError('k.json: (root): the file is empty');
  });

  it('masks a long unknown field name: it may be a secret pasted in the wrong place', () => {
    const error = errorFor({ providers: { openai: { 'sk-proj-abcdefghijklmnopqrstuvwxyz': 1 } } });
    expect(error.message).toContain('unknown field "sk-p...wxyz"');
    expect(error.message).not.toContain('abcdefghijklmnop');
  });
});

describe('formatIssuePath', () => {
  it('formats paths the way people read them', () => {
    expect(formatIssuePath(['providers', 'openai', 'keys', 2, 'rpm'])).toBe('providers.openai.keys[2].rpm');
    expect(formatIssuePath([])).toBe('(root)');
    expect(formatIssuePath(['chains', 'my chain', 0])).toBe('chains["my chain"][0]');
  });
});
