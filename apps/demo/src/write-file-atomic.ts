import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes `text` to `path` whole or not at all: into a temporary file beside it, then renamed over it, so a crash or a
 * full disk never leaves a half-written file (the temporary file is removed when the write fails).
 */
export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, { mode });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
