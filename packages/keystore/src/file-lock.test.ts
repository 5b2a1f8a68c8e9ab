import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive, withFileLock } from './file-lock';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-lock-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('withFileLock', () => {
  it('lets one holder in at a time and removes the lock afterwards', async () => {
    const lockPath = join(directory, 'x.lock');
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 25 }, () =>
        withFileLock(lockPath, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inside--;
          done++;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(done).toBe(25);
    expect(await readdir(directory)).toEqual([]);
  });

  it('releases the lock when the work throws, and passes the error on', async () => {
    const lockPath = join(directory, 'y.lock');
    await expect(
      withFileLock(lockPath, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrowError('boom');
    expect(await withFileLock(lockPath, async () => 'again')).toBe('again');
  });

  it('keeps its lock fresh while working, so it is not taken over as stale', async () => {
    const lockPath = join(directory, 'z.lock');
    const order: string[] = [];
    const slow = withFileLock(
      lockPath,
      async () => {
        order.push('slow start');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        order.push('slow end');
      },
      { staleMs: 300 },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fast = withFileLock(lockPath, async () => order.push('fast'), { staleMs: 300 });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['slow start', 'slow end', 'fast']);
  });
});

describe('isProcessAlive', () => {
  it('knows this process, and that pid 0 or a negative one is not a process', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});
