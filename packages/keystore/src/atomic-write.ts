import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The prefix and suffix of the temporary files `writeFileAtomic` uses next to `path`. */
function tempPattern(path: string): RegExp {
  const base = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${base}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
}

/** fsync a directory so a rename in it is durable; not every platform allows it (Windows), which is fine. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // best effort: the rename itself is still atomic
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Replaces a file atomically: writes a temporary file in the same directory (created exclusively with `mode`),
 * fsyncs it, renames it over the target and fsyncs the directory. A crash at any point leaves either the old file or
 * the new one, never a mix; at worst a stray temporary file remains (see `removeStaleTempFiles`).
 */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.chmod(mode); // the umask may have removed bits; make the mode exact
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/**
 * Removes temporary files a crashed writer left next to `path`: those whose process is gone, or older than
 * `olderThanMs`. Call it only while holding the file's lock, so no live writer's file is touched.
 */
export async function removeStaleTempFiles(
  path: string,
  olderThanMs: number,
  isProcessAlive: (pid: number) => boolean,
): Promise<void> {
  const directory = dirname(path);
  const pattern = tempPattern(path);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const file = join(directory, name);
    try {
      const info = await stat(file);
      const pid = Number(match[1]);
      if (pid !== process.pid && (!isProcessAlive(pid) || Date.now() - info.mtimeMs > olderThanMs)) {
        await rm(file, { force: true });
      }
    } catch {
      // gone already
    }
  }
}
