import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeysFileError } from './keys-file-error';
import { type LoadedKeysFile, parseKeysFile } from './parse-keys-file';

/** The names `findKeysFile` looks for, in order. */
export const KEYS_FILE_NAMES = ['keypool.json', 'keypool.yaml', 'keypool.yml'] as const;

/**
 * Reads, parses and validates a keys file (`.json`, `.yaml` or `.yml`).
 *
 * @throws {KeysFileError} `keys_file_unreadable` when the file cannot be read, `keys_file_invalid` when it is not
 *   valid; every message names the file and the path in it.
 */
export async function loadKeysFile(path: string): Promise<LoadedKeysFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? 'unknown error'})`;
    throw new KeysFileError('keys_file_unreadable', path, [{ path: '(root)', message }], { cause: error });
  }
  return parseKeysFile(text, { file: path });
}

/** The first of `keypool.json`, `keypool.yaml`, `keypool.yml` present in a directory (default: the working directory). */
export async function findKeysFile(directory: string = process.cwd()): Promise<string | undefined> {
  for (const name of KEYS_FILE_NAMES) {
    const candidate = join(directory, name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}
