import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunOptions, type RunResult, runKeypool, tempDir } from './run-keypool';

const PASSPHRASE = 'a passphrase for the leak test';
/** Canaries: their bodies are random, so no 8-character piece of them can occur in honest output. */
const FIRST = 'sk-proj-Qx7V2b9N4kLm8PzR3tYwJc5H';
const SECOND = 'Zr4Tq8Wm2Xk6Yn0Bv3Cs7Df1Gh5Jl9Pa';
/** A key pasted where something else belongs; it was never stored. */
const PASTED = 'sk-ant-api03-Hq2Wz7Rk4Ty9Uo1Ip6As3Df8Gj';

/** Every 8-character piece of a canary that appears in the text. */
function leakedPieces(text: string): string[] {
  const found: string[] = [];
  for (const secret of [FIRST, SECOND, PASTED])
    for (let index = 0; index + 8 <= secret.length; index++) {
      const piece = secret.slice(index, index + 8);
      if (text.includes(piece)) found.push(piece);
    }
  return found;
}

function expectClean(result: RunResult): void {
  expect(leakedPieces(`${result.stdout}\n${result.stderr}`)).toEqual([]);
}

describe('no CLI command prints a secret, in text or --json', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let vault: string;
  const keypool = (args: string[], options: RunOptions = {}) =>
    runKeypool([...args, '--vault', vault], {
      ...options,
      env: { KEYPOOL_PASSPHRASE: PASSPHRASE, ...options.env },
    });

  beforeEach(async () => {
    dir = await tempDir();
    vault = join(dir.path, 'vault.json');
    expect((await keypool(['keys', 'add', 'openai', 'main'], { input: FIRST })).code).toBe(0);
    expect((await keypool(['keys', 'add', 'mistral', 'eu'], { input: SECOND })).code).toBe(0);
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('keys disable with a reason holding secrets, then list, status and remove', async () => {
    const results: RunResult[] = [];
    results.push(
      await keypool(['keys', 'disable', 'openai', 'main', '--reason', `leaked ${FIRST} ${SECOND}`]),
    );
    results.push(await keypool(['keys', 'disable', 'mistral', 'eu', '--reason', `see ${FIRST}`, '--json']));
    for (const json of [[], ['--json']]) {
      results.push(await keypool(['keys', 'list', ...json]));
      results.push(await keypool(['status', ...json]));
    }
    results.push(await keypool(['keys', 'remove', 'mistral', 'eu']));
    results.push(await keypool(['keys', 'remove', 'openai', 'main', '--json']));
    for (const result of results) {
      expect(result.code).toBe(0);
      expectClean(result);
    }
    expect(results[2]!.stdout).toContain('leaked sk-p...Jc5H Zr4T...l9Pa');
  });

  it('a secret stored under another key as its label or id is masked too', async () => {
    expect(
      (
        await keypool(['keys', 'add', 'anthropic', 'team', '--label', `backup of ${SECOND}`], {
          input: PASTED,
        })
      ).code,
    ).toBe(0);
    for (const json of [[], ['--json']]) {
      expectClean(await keypool(['keys', 'list', ...json]));
      expectClean(await keypool(['status', ...json]));
    }
  });
});

describe('errors that echo what was typed mask a pasted key', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  // Most of these fail (exit 2, 3 or 4); the emulator serves any model name, so the chat with a pasted model works.
  it.each([
    [['keys', 'remove', 'openai', PASTED]],
    [['keys', 'disable', 'openai', PASTED, '--json']],
    [['keys', 'list', PASTED]],
    [['chat', 'hi', '--chain', PASTED]],
    [['chat', 'hi', '--chain', `openai:${PASTED}`, '--emulator']],
    [['chat', 'hi', '--emulator', '--base-url', `openai=http://127.0.0.1:9/v1?key=${PASTED}`]],
    [['keys', 'test', PASTED]],
    [[PASTED]],
    [['keys', 'list', `--${PASTED}`]],
  ])('keypool %j', async (args) => {
    const result = await runKeypool([...args, '--vault', join(dir.path, 'vault.json')], {
      env: { KEYPOOL_PASSPHRASE: PASSPHRASE },
    });
    expectClean(result);
  });
});
