import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { VaultLockError } from './vault-lock-error';

/** How long and how patiently to wait for a lock file. */
export interface FileLockOptions {
  /** Give up (with `VaultLockError`) after waiting this long. Default 30 s. */
  timeoutMs?: number;
  /**
   * A lock whose file has not been touched for this long is taken over. The holder touches it every `staleMs / 3`
   * while it works, so only a crashed (or frozen) holder's lock goes stale. A lock held by a process on this host
   * that no longer exists is taken over at once. Default 10 s.
   */
  staleMs?: number;
  /** First retry delay; it doubles up to `retryMaxMs`, each with full jitter. Defaults 5 ms and 200 ms. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

interface LockOwner {
  pid: number;
  hostname: string;
  token: string;
  createdAt: string;
}

interface LockState {
  owner: LockOwner | undefined;
  raw: string;
  mtimeMs: number;
}

/** Whether a process with this id exists on this host (`EPERM` means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(lockPath: string): Promise<LockState | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    let owner: LockOwner | undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<LockOwner>;
      if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') owner = parsed as LockOwner;
    } catch {
      // a holder that crashed between creating and writing the file: judged by age alone
    }
    return { owner, raw, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(state: LockState, staleMs: number): boolean {
  if (Date.now() - state.mtimeMs > staleMs) return true;
  const owner = state.owner;
  return owner !== undefined && owner.hostname === hostname() && !isProcessAlive(owner.pid);
}

/**
 * Removes a stale lock, unless someone else is already doing so or the lock changed meanwhile. The removal happens
 * under a second, short-lived lock file so that two waiters cannot both judge the same lock stale and then one of
 * them remove the fresh lock the other has just created.
 */
async function takeOver(lockPath: string, seen: LockState, staleMs: number): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  let guard: Awaited<ReturnType<typeof open>>;
  try {
    guard = await open(guardPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const guardInfo = await stat(guardPath).catch(() => undefined);
    // A guard is held for a few milliseconds; an old one belongs to a process that died mid-takeover.
    if (guardInfo && Date.now() - guardInfo.mtimeMs > staleMs) await rm(guardPath, { force: true });
    return;
  }
  try {
    const current = await readLock(lockPath);
    if (
      current &&
      current.raw === seen.raw &&
      current.mtimeMs === seen.mtimeMs &&
      isStale(current, staleMs)
    ) {
      await rm(lockPath, { force: true });
    }
  } finally {
    await guard.close();
    await rm(guardPath, { force: true });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeOwner(state: LockState | undefined): string | undefined {
  const owner = state?.owner;
  return owner ? `pid ${owner.pid} on ${owner.hostname} since ${owner.createdAt}` : undefined;
}

/**
 * Runs `work` while holding an exclusive lock file (created with `wx`, holding pid, host and time). Waits with
 * bounded, jittered exponential backoff; takes over stale locks; releases the lock afterwards (only if it is still
 * ours). Works across processes on one host and across hosts sharing a file system that honours `O_EXCL`.
 *
 * @throws {VaultLockError} when the lock is not acquired within `timeoutMs`.
 */
export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 10_000;
  const retryMinMs = options.retryMinMs ?? 5;
  const retryMaxMs = options.retryMaxMs ?? 200;
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    token: randomBytes(12).toString('hex'),
    createdAt: new Date().toISOString(),
  };
  const started = Date.now();
  let attempt = 0;
  let lastSeen: LockState | undefined;

  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        owner.createdAt = new Date().toISOString();
        await handle.writeFile(JSON.stringify(owner));
      } catch (error) {
        // Could not say who holds it (a full disk?): give the lock back rather than leave a nameless one.
        await handle.close().catch(() => undefined);
        await rm(lockPath, { force: true });
        throw error;
      }
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    lastSeen = await readLock(lockPath);
    if (lastSeen === undefined) continue; // released between our attempt and the read: try again at once
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new VaultLockError(lockPath, waited, describeOwner(lastSeen));
    if (isStale(lastSeen, staleMs)) {
      await takeOver(lockPath, lastSeen, staleMs);
      await sleep(Math.random() * retryMinMs); // let a concurrent taker finish before trying again
      continue;
    }
    const ceiling = Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(attempt, 16));
    attempt++;
    await sleep(Math.min(timeoutMs - waited, retryMinMs + Math.random() * (ceiling - retryMinMs)));
  }

  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    const current = await readLock(lockPath).catch(() => undefined);
    if (current?.owner?.token === owner.token) await rm(lockPath, { force: true });
  }
}
