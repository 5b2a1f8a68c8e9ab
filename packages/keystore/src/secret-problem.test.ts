import { describe, expect, it } from 'vitest';
import { envSource } from './env-source';
import { KeysFileError } from './keys-file-error';
import { parseKeysFile } from './parse-keys-file';
import { resolveKeysFile } from './resolve-keys-file';
import { secretProblem } from './secret-problem';
import { SecretResolveError } from './secret-resolve-error';

const TWO_KEYS = 'sk-proj-first-0123456789 sk-proj-second-0123456789';

describe('secretProblem', () => {
  it('accepts a normal key and names each kind of damage', () => {
    expect(secretProblem('sk-proj-abc_DEF-123')).toBeUndefined();
    expect(secretProblem('')).toBe('is empty');
    expect(secretProblem('a b')).toBe('contains whitespace inside the value (two keys pasted together?)');
    expect(secretProblem('a\u00a0b')).toBe(
      'contains whitespace inside the value (two keys pasted together?)',
    );
    expect(secretProblem('a\u007fb')).toBe('contains a control character');
    expect(secretProblem('a\r\nb')).toBe('contains a line break (a value pasted over two lines?)');
    expect(secretProblem('a\u0000b')).toBe('contains a control character');
  });
});

describe('secret checks in keys files', () => {
  it('rejects an inline secret with whitespace inside, without echoing it', () => {
    const text = JSON.stringify({ providers: { openai: { keys: [{ id: 'a', secret: TWO_KEYS }] } } });
    let caught: unknown;
    try {
      parseKeysFile(text, { file: 'keypool.json' });
    } catch (error) {
      caught = error;
    }
    expect(KeysFileError.isInstance(caught)).toBe(true);
    const error = caught as KeysFileError;
    expect(error.message).toBe(
      'keypool.json: providers.openai.keys[0].secret: contains whitespace inside the value (two keys pasted together?)',
    );
  });

  it('rejects a referenced secret with a line break inside, naming the key and never the value', async () => {
    const data = { providers: { openai: { keys: [{ id: 'prod', from: 'env:OPENAI_PROD' }] } } };
    const sources = [envSource({ OPENAI_PROD: 'sk-proj-top-half\nsk-proj-bottom-half' })];
    const caught = await resolveKeysFile(data, { sources }).catch((error: unknown) => error);
    expect(SecretResolveError.isInstance(caught)).toBe(true);
    const error = caught as SecretResolveError;
    expect(error.failures).toEqual([
      {
        ref: 'env:OPENAI_PROD',
        provider: 'openai',
        keyId: 'prod',
        reason: 'the secret contains a line break (a value pasted over two lines?)',
      },
    ]);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('half');
  });
});
