import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI the tests run. */
export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');

/** A secret that must never appear in any output of the CLI. Every run checks it (and every registered one). */
export const CANARY = 'sk-canary-0123456789-DO-NOT-PRINT-abcdefghijklmnop';

const secrets = new Set<string>([CANARY]);

/** Registers more secrets that no run of the CLI may ever print. */
export function neverPrint(...values: string[]): void {
  for (const value of values) secrets.add(value);
}

/** What one run of the CLI did. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one run. */
export interface RunOptions {
  /** Extra environment (merged over a clean one: PATH, HOME, the test vault's settings). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed. Without it stdin is closed at once (not a terminal). */
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** The environment every run starts from: no provider keys from the machine, fast test vaults. */
function baseEnv(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    KEYPOOL_SCRYPT_N: '1024',
  };
}

/**
 * Runs `node dist/cli.js ...args` and resolves with its exit code and output. Asserts that no registered secret
 * (the canary above all) appears in stdout or stderr, whatever the command.
 */
export function runKeypool(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env = { ...baseEnv(), ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: Object.fromEntries(
        Object.entries(env).filter(([, value]) => value !== undefined),
      ) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keypool ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const secret of secrets) {
        expect(stdout, `stdout of keypool ${args.join(' ')} leaks a secret`).not.toContain(secret);
        expect(stderr, `stderr of keypool ${args.join(' ')} leaks a secret`).not.toContain(secret);
      }
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary directory, and a function that removes it. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'keypool-demo-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Parses a run's stdout as the one JSON document it must be. */
export function jsonOf<T = Record<string, unknown>>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${result.stdout}\nstderr: ${result.stderr}`);
  }
}
