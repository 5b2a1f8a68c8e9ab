import { maskSecret } from '@keypool/core';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatIssuePath } from './format-issue-path';
import { jsonErrorOffset } from './json-error-offset';
import { KeysFileError, type KeysFileIssue } from './keys-file-error';
import { type KeysFile, keysFileSchema } from './keys-file-schema';
import { keysJsonToKeysFile, looksLikeKeysJson } from './keys-json-to-keys-file';
import type { KeystoreWarning } from './keystore-warning';
import { parseKeysJson } from './parse-keys-json';
import { protectSecret } from './protect-secret';
import { PROVIDER_IDS, unknownProviderMessage } from './provider-id';

/** The format of a keys file. */
export type KeysFileFormat = 'json' | 'yaml';

/** A validated keys file with the warnings found while reading it. */
export interface LoadedKeysFile {
  /** The file name used in messages. */
  file: string;
  format: KeysFileFormat;
  data: KeysFile;
  warnings: KeystoreWarning[];
}

/** Options of `parseKeysFile`. */
export interface ParseKeysFileOptions {
  /** The file name used in every message, e.g. `keypool.json`. */
  file: string;
  /** Defaults from the file name: `.yaml`/`.yml` is YAML, anything else JSON. */
  format?: KeysFileFormat;
}

/** A field name safe to echo: a long unknown "field" may be a secret pasted in the wrong place. */
function safeFieldName(field: string): string {
  return field.length >= 20 ? maskSecret(field) : field;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' && issue.path.length === 1 && issue.path[0] === 'providers') {
    return issue.keys.map((key) => unknownProviderMessage(key)).join('; ');
  }
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((key) => `"${safeFieldName(key)}"`).join(', ');
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${fields}`;
  }
  const generic = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue.message);
  if (generic)
    return generic[2] === 'undefined' ? 'is required' : `must be ${article(generic[1]!)} (got ${generic[2]})`;
  return issue.message;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** The most alias expansions a keys file may use. */
const MAX_ALIAS_COUNT = 100;

function parseText(text: string, file: string, format: KeysFileFormat): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') {
    throw new KeysFileError('keys_file_invalid', file, [{ path: '(root)', message: 'the file is empty' }]);
  }
  if (format === 'json') {
    try {
      return JSON.parse(source);
    } catch {
      // The engine's message quotes the text around the fault, which may be a secret: report only the position.
      const offset = jsonErrorOffset(source);
      const where = offset === undefined ? undefined : lineAndColumn(source, offset);
      throw new KeysFileError('keys_file_invalid', file, [
        {
          path: '(root)',
          message: `not valid JSON${where ? ` (line ${where.line}, column ${where.column})` : ''}`,
          ...where,
        },
      ]);
    }
  }
  const document = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    // prettyErrors computes line positions, and also quotes source lines (maybe a secret): keep code and position.
    throw new KeysFileError(
      'keys_file_invalid',
      file,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          path: '(root)',
          message: `not valid YAML: ${error.code.toLowerCase().replaceAll('_', ' ')}${
            position ? ` (line ${position.line}, column ${position.col})` : ''
          }`,
          ...(position ? { line: position.line, column: position.col } : {}),
        };
      }),
    );
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand beyond the count (a "billion laughs" file).
    if (!(error instanceof ReferenceError)) throw error;
    throw new KeysFileError('keys_file_invalid', file, [
      {
        path: '(root)',
        message: `not valid YAML: aliases expand more than ${MAX_ALIAS_COUNT} times (a file that grows without bound)`,
      },
    ]);
  }
}

/**
 * Parses and validates the text of a keys file (JSON or YAML). A keys.json file (see `parseKeysJson`) is read as the
 * keys file it describes (`keysJsonToKeysFile`), its keys bound to their `model_name`. Inline secrets are allowed but reported as warnings;
 * the objects holding them mask the secret in JSON and inspect output.
 *
 * @throws {KeysFileError} listing every problem, each as `file: path.in.file: what is wrong`.
 */
export function parseKeysFile(text: string, options: ParseKeysFileOptions): LoadedKeysFile {
  const { file } = options;
  const format = options.format ?? (/\.ya?ml$/i.test(file) ? 'yaml' : 'json');
  const raw = parseText(text, file, format);
  // The keys.json format (a list of entries with key_id, api_key, model_name...) is read as is.
  const isKeysJson = looksLikeKeysJson(raw);
  const parsed = keysFileSchema.safeParse(
    isKeysJson ? keysJsonToKeysFile(parseKeysJson(raw, { file })) : raw,
  );
  if (!parsed.success) {
    const issues: KeysFileIssue[] = parsed.error.issues.map((issue) => ({
      path: formatIssuePath(issue.path),
      message: issueMessage(issue),
    }));
    throw new KeysFileError('keys_file_invalid', file, issues);
  }
  const data = parsed.data;
  const warnings: KeystoreWarning[] = [];
  for (const provider of PROVIDER_IDS) {
    data.providers?.[provider]?.keys?.forEach((key, index) => {
      if (key.secret === undefined) return;
      protectSecret(key as typeof key & { secret: string }, 'key');
      if (isKeysJson) return; // a keys.json file holds its secrets by design: no warning per key
      const path = `providers.${provider}.keys[${index}].secret`;
      warnings.push({
        code: 'inline_secret',
        file,
        path,
        provider,
        keyId: key.id,
        message: `${file}: ${path}: key "${key.id}" holds its secret inline; prefer "from": "env:NAME" or "vault:id" so the file can be shared`,
      });
    });
  }
  return { file, format, data, warnings };
}
