import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';
import { describe, expect, it } from 'vitest';

/**
 * Size budgets for edge bundles, measured the way an app's bundler sees core: bundled from the sources with its
 * dependencies, tree-shaken, minified, gzipped (zlib level 9). A change that pulls in a heavy dependency or a module
 * with top-level side effects fails here.
 *
 * Measured 2026-12-06 (KB = 1024 bytes), the day's merges in: the whole export surface 45.7 KB and a `KeyPool` alone
 * 35.7 KB with zod/mini doing the configuration checks (zod's classic API would add 18 KB more). Core's own validator
 * (validate.ts, the same messages and paths) replaced it: 39.4 KB and 29.4 KB. The issue's goal for a pool is 20 KB;
 * what is left is the engine itself (settle, execute, lease, the memory store, snapshots, stream continuation, admin),
 * which `KeyPool`'s methods reach. Loading admin, leases, secret updates and stream continuation on first use (dynamic
 * imports) was measured and dropped: the code a pool loads up front fell to 27.8 KB in six chunks (26.2 KB as one
 * gzip), but the chunks shared with it made the total 33.2 KB, and a single-file edge bundle gains nothing.
 */
const BUDGETS_KB = {
  /** Everything `@keypool/core` exports. */
  everything: 40.4,
  /** What an app that builds a pool (`KeyPool`, as the provider packages do) bundles. */
  pool: 30.4,
};

const source = fileURLToPath(new URL('./index.ts', import.meta.url));

/** The minified, gzipped size in KB of a module that re-exports `names` (or everything) from core's sources. */
async function gzippedKb(names: readonly string[] | '*'): Promise<{ kb: number; modules: string[] }> {
  const entry =
    names === '*'
      ? `export * from ${JSON.stringify(source)};`
      : `export { ${names.join(', ')} } from ${JSON.stringify(source)};`;
  const bundle = await rolldown({
    input: 'entry',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [
      {
        name: 'virtual-entry',
        resolveId: (id) => (id === 'entry' ? id : null),
        load: (id) => (id === 'entry' ? entry : null),
      },
    ],
  });
  try {
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    const chunk = output[0];
    return {
      kb: gzipSync(chunk.code, { level: 9 }).length / 1024,
      modules: Object.keys(chunk.modules),
    };
  } finally {
    await bundle.close();
  }
}

describe('core bundle size (edge runtimes)', () => {
  it(`stays within ${BUDGETS_KB.everything} KB gzipped for the whole export surface, with no schema library`, async () => {
    const { kb, modules } = await gzippedKb('*');
    expect(modules.filter((id) => id.includes('node_modules'))).toEqual([]);
    expect(kb).toBeGreaterThan(5);
    expect(kb).toBeLessThanOrEqual(BUDGETS_KB.everything);
  }, 60_000);

  it(`stays within ${BUDGETS_KB.pool} KB gzipped for a pool alone (tree-shaken)`, async () => {
    const { kb, modules } = await gzippedKb(['KeyPool']);
    expect(modules.some((id) => id.endsWith('health-monitor.ts'))).toBe(false);
    expect(modules.some((id) => id.endsWith('validate.ts'))).toBe(true);
    expect(kb).toBeLessThanOrEqual(BUDGETS_KB.pool);
  }, 60_000);
});
