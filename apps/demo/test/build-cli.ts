import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Vitest global setup: builds the CLI, every workspace package it imports at run time and the other published
 * packages (`turbo run build --filter=keypool... --filter=./packages/*`). Turbo caches, so when `npm test` has just
 * built everything (or nothing changed) this takes seconds. `KEYPOOL_DEMO_SKIP_BUILD=1` skips it when you know dist/ is fresh.
 */
export function setup(): void {
  if (process.env.KEYPOOL_DEMO_SKIP_BUILD === '1') return;
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  // Turbo runs each package's build with pnpm: make sure this Node and the repo's pnpm come first on PATH.
  const path = [
    dirname(process.execPath),
    join(root, '.tools', 'node_modules', '.bin'),
    process.env.PATH ?? '',
  ]
    .filter((entry) => entry !== '')
    .join(delimiter);
  const result = spawnSync(
    existsSync(turbo) ? turbo : 'turbo',
    // Every package, not only the CLI's: the packed-tarball test packs them all (ai-sdk and otel included).
    ['run', 'build', '--filter=keypool...', '--filter=./packages/*', '--output-logs=errors-only'],
    { cwd: root, env: { ...process.env, PATH: path }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(
      `building the CLI failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}
