import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole, with the given mode', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'keypool-atomic-'));
    folders.push(folder);
    const path = join(folder, 'keypool.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new\n', 0o600);
    expect(await readFile(path, 'utf8')).toBe('new\n');
    expect(await readdir(folder)).toEqual(['keypool.json']);
  });

  it('leaves the target as it was and no temporary file behind when the write fails', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'keypool-atomic-'));
    folders.push(folder);
    // A directory where the file should go: the rename fails after the temporary file was written.
    const path = join(folder, 'keypool.json');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'kept');
    await expect(writeFileAtomic(path, 'new\n', 0o644)).rejects.toThrow();
    expect(await readdir(folder)).toEqual(['keypool.json']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('kept');
  });
});
