import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeysFileError } from './keys-file-error';
import { findKeysFile, loadKeysFile } from './load-keys-file';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-keys-file-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('loadKeysFile', () => {
  it('loads JSON and YAML by extension', async () => {
    await writeFile(
      join(directory, 'a.json'),
      '{"providers": {"openai": {"keys": [{"id": "a", "from": "env:A"}]}}}',
    );
    await writeFile(
      join(directory, 'b.yml'),
      'providers:\n  openai:\n    keys:\n      - { id: a, from: "env:A" }\n',
    );
    expect((await loadKeysFile(join(directory, 'a.json'))).format).toBe('json');
    const yaml = await loadKeysFile(join(directory, 'b.yml'));
    expect(yaml.format).toBe('yaml');
    expect(yaml.data.providers?.openai?.keys?.[0]?.from).toBe('env:A');
  });

  it('names the file in validation errors', async () => {
    const path = join(directory, 'keypool.json');
    await writeFile(path, '{"providers": {"openai": {"keys": [{"id": "a", "from": "env:A", "rpm": -1}]}}}');
    await expect(loadKeysFile(path)).rejects.toThrowError(
      `${path}: providers.openai.keys[0].rpm: must be a non-negative number`,
    );
  });

  it('says when the file is missing', async () => {
    const path = join(directory, 'nope.json');
    const error = await loadKeysFile(path).catch((caught: unknown) => caught);
    expect(KeysFileError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'keys_file_unreadable',
      file: path,
      message: `${path}: (root): file not found`,
    });
  });
});

describe('findKeysFile', () => {
  it('finds keypool.json, then keypool.yaml, then keypool.yml', async () => {
    expect(await findKeysFile(directory)).toBeUndefined();
    await writeFile(join(directory, 'keypool.yml'), '{}');
    expect(await findKeysFile(directory)).toBe(join(directory, 'keypool.yml'));
    await writeFile(join(directory, 'keypool.yaml'), '{}');
    expect(await findKeysFile(directory)).toBe(join(directory, 'keypool.yaml'));
    await writeFile(join(directory, 'keypool.json'), '{}');
    expect(await findKeysFile(directory)).toBe(join(directory, 'keypool.json'));
  });
});
