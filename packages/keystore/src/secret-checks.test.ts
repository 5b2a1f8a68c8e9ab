import { describe, expect, it } from 'vitest';
import { envSource } from './env-source';
import { KeysFileError } from './keys-file-error';
import { parseKeysFile } from './parse-keys-file';
import { resolveKeysFile } from './resolve-keys-file';
import { SecretResolveError } from './secret-resolve-error';

const TWO_KEYS = 'sk-proj-first-0123456789 sk-proj-second-0123456789';

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
      'keypool.json: providers.openai.keys[0].secret: the secret of key "a" holds whitespace inside it; a secret is sent in an HTTP header, which cannot carry it',
    );
    expect(error.message).not.toContain('sk-proj');
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
        reason:
          'the secret holds a line break or another control character; a secret is sent in an HTTP header, which cannot carry it',
      },
    ]);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('half');
  });
});
