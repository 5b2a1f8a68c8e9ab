import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, neverPrint, runKeypool, tempDir } from './run-keypool';

const FIRST = 'sk-switch-first-1111111111111111111111';
const SECOND = 'sk-switch-second-222222222222222222222';
neverPrint(FIRST, SECOND);

describe('keypool keys switch with the priority strategy (run as a subprocess)', () => {
  let emulator: Emulator;
  let dir: { path: string; remove: () => Promise<void> };
  let vault: string;
  const env = { KEYPOOL_PASSPHRASE: 'switch-pass', KEYPOOL_STRATEGY: 'priority' };

  beforeAll(async () => {
    emulator = await startEmulator({ keys: { [FIRST]: {}, [SECOND]: {} } });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    dir = await tempDir();
    vault = join(dir.path, 'vault.json');
  });
  afterEach(async () => {
    await dir.remove();
  });

  const chat = async () => {
    const result = await runKeypool(
      [
        'chat',
        'Hi',
        '--vault',
        vault,
        '--chain',
        'openai:gpt-4o-mini',
        '--base-url',
        `openai=${emulator.baseURLs.openai}`,
        '--json',
      ],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    return jsonOf<{ served: { keyId: string } }>(result).served.keyId;
  };

  it('sends the calls to the key `keys switch` made primary', async () => {
    expect(
      (await runKeypool(['keys', 'add', 'openai', 'first', '--vault', vault], { env, input: FIRST })).code,
    ).toBe(0);
    expect(
      (await runKeypool(['keys', 'add', 'openai', 'second', '--vault', vault], { env, input: SECOND })).code,
    ).toBe(0);
    expect(await chat()).toBe('first');
    expect((await runKeypool(['keys', 'switch', 'openai', 'second', '--vault', vault], { env })).code).toBe(
      0,
    );
    expect(await chat()).toBe('second');
    expect(emulator.requestsFor(SECOND)).toHaveLength(1);
  });

  it('rejects an unknown KEYPOOL_STRATEGY with exit 2, naming the valid ones', async () => {
    await runKeypool(['keys', 'add', 'openai', 'first', '--vault', vault], { env, input: FIRST });
    const result = await runKeypool(
      [
        'chat',
        'Hi',
        '--vault',
        vault,
        '--chain',
        'openai:gpt-4o-mini',
        '--base-url',
        `openai=${emulator.baseURLs.openai}`,
      ],
      { env: { ...env, KEYPOOL_STRATEGY: 'fastest' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('KEYPOOL_STRATEGY: must be one of');
    expect(result.stderr).toContain('priority');
  });
});
