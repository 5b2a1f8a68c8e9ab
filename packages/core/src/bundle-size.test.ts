import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';
import { describe, expect, it } from 'vitest';

/**
 * Size budgets for edge bundles, measured the way an app's bundler sees core: bundled from the sources with its
 * dependencies, tree-shaken, minified, gzipped (zlib level 9). A change that pulls in a heavy dependency (zod's
 * classic API alone added 18 KB) or a module with top-level side effects fails here.
 *
 * Measured 2026-12-06 (KB = 1024 bytes): the whole export surface 38.3 KB (55.6 KB with zod's classic API), a `KeyPool` alone
 * 25.6 KB (43.2 KB). Of that, zod/mini is ~7 KB; core's own engine code is the rest (31 KB for the whole surface).
 * The same day's merges (stream continuation in `pool.stream`, failure history, thresholds and leases, keys bound to
 * models, secret rotation) grew it to 44.7 KB and 34.7 KB: the budgets below guard that, not the 20 KB goal.
 */
const BUDGETS_KB = {
  /** Everything `@keypool/core` exports. */
  everything: 46,
  /** What an app that builds a pool (`KeyPool`, as the provider packages do) bundles. */
  pool: 36,
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
  it(`stays within ${BUDGETS_KB.everything} KB gzipped for the whole export surface, without zod's classic API`, async () => {
    const { kb, modules } = await gzippedKb('*');
    expect(modules.some((id) => id.includes('/zod/v4/mini/'))).toBe(true);
    expect(modules.filter((id) => id.includes('/zod/v4/classic/'))).toEqual([]);
    expect(kb).toBeGreaterThan(5);
    expect(kb).toBeLessThanOrEqual(BUDGETS_KB.everything);
  }, 60_000);

  it(`stays within ${BUDGETS_KB.pool} KB gzipped for a pool alone (tree-shaken)`, async () => {
    const { kb, modules } = await gzippedKb(['KeyPool']);
    expect(modules.some((id) => id.endsWith('health-monitor.ts'))).toBe(false);
    expect(kb).toBeLessThanOrEqual(BUDGETS_KB.pool);
  }, 60_000);
});
