import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';
import { describe, expect, it } from 'vitest';

/**
 * Size budgets for edge bundles, measured the way an app's bundler sees core: bundled from the sources with its
 * dependencies, tree-shaken, minified, gzipped (zlib level 9). A change that pulls in a heavy dependency or a module
 * with top-level side effects fails here.
 *
 * Measured 2026-12-06 (KB = 1024 bytes). zod/mini did the configuration checks at first (a `KeyPool` 35.7 KB); core's
 * own validator (validate.ts, the same messages and paths) brought it to 29.4 KB. The goal for a pool is 20 KB.
 * A `KeyPool` bundles the engine plus what its methods reach (admin, leases, saved state, history, stream
 * continuation), and loading those on first use (dynamic imports) made the total bigger (33.2 KB in six chunks). So
 * the engine is a class of its own, `PoolEngine` (`@keypool/core/engine`), which `KeyPool` extends with those methods.
 * Per module before the split (a `KeyPool`, 29.7 KB; minified bytes): settle 11.4 K, key-pool 11.1 K, config 11.0 K,
 * memory-store 10.9 K, stream-continuation 9.7 K, pool-state 9.0 K, pool-core 8.0 K, execute 7.9 K, selectors 7.7 K,
 * admin 7.1 K. The engine alone came to 23.5 KB. Then: validators marked side-effect free, so the schemas of
 * `KeyPool`-only options drop out (-0.6 KB); SHA-256 constants computed, not shipped (-0.7 KB); strategies other
 * than `health` given to the engine as selectors (`prioritySelector()`), so it carries only the one it uses
 * (-1.0 KB): 21.2 KB; main's later engine work merged (+0.2 KB); the 429 wording table of `classifyHttpFailure` built
 * by a side-effect-free function (-0.3 KB) and `deleteKey`/`replaceKey` as functions, not `PoolCore` methods
 * (-0.1 KB): 21.0 KB (a `KeyPool` 29.9 KB, everything 40.5 KB). Then (issue 17, to 20 KB): adaptive limits are a
 * plug-in on the engine (`adaptiveLimits: adaptiveLimiter()`, off by default there; `KeyPool` keeps the flag, default
 * on): -0.47 KB; the memory store's window hand-over moves to `HandOverMemoryStore` (the Redis store's fallback) and
 * the memory store counts with `SlidingCounter` (`SlidingWindow` adds the hand-over's methods): -0.14 and -0.06 KB;
 * the engine's errors scrub with the pool's own scrubber, not through the scrubber cache (-0.11 KB); the keys-file
 * checks and the masking of `poolOptionProblems` leave the engine's option checks (`ConfigError` masks what it shows):
 * -0.10 KB; the validators lose their `@__NO_SIDE_EFFECTS__` marks, which made the bundler annotate every call to them
 * (16 bytes each), and the `KeyPool`-only schemas are built in calls marked pure instead (-0.14 KB); dead or
 * duplicated code (`MinHeap.clear`, `PoolKey.hasClient`, `KeyBindings.delete`, a second `store.error` emitter, a
 * second inspect symbol): -0.09 KB; a lease's classification of `lease.fail(status)` given to settle as a hook, so
 * the engine leaves `ClassifiedFailure` out (-0.07 KB). Now: the engine 19.8 KB, a `KeyPool` 29.4 KB, everything
 * 40.4 KB; with main's `apiKey` option merged (+0.2 KB for a `KeyPool`, +0.25 for everything) 19.8, 29.6 and 40.7 KB
 * (2026-12-06).
 * Measured and left: without the engine's unified `chat`/`stream` (apps calling `execute`/`executeStream` with the
 * provider's SDK instead) it would be 19.1 KB (0.3 KB of it `estimateRequestTokens`, which they reserve tpm with); they
 * stay: the engine's tests and README call them, and removing them is an API decision. What is left is the engine's
 * own work (settle, the memory store, pool keys with SHA-256, lease, pool state and snapshots, scope indexes, key
 * bindings, ...) and the configuration checks (about 2.5 KB with their messages), none optional for rotation, limits,
 * cooldowns and failover with clear errors. gzip's 32 KB window makes these figures move by up to 0.1 KB when code
 * moves in the bundle; the budgets allow for that.
 */
const BUDGETS_KB = {
  /** Everything `@keypool/core` exports. */
  everything: 40.8,
  /** What an app that builds a full pool (`KeyPool`, as the provider packages do) bundles. */
  pool: 29.8,
  /**
   * What an edge app that imports the lean engine bundles for rotation, limits, cooldowns, failover and streams with
   * failover: `createPoolEngine` and the errors it throws (its adapter, e.g. a provider package's, comes on top).
   */
  engine: 20.0,
};

const ENGINE_IMPORTS = [
  'createPoolEngine',
  'ProviderError',
  'PoolExhaustedError',
  'StreamInterruptedError',
  'ConfigError',
];

const source = fileURLToPath(new URL('./index.ts', import.meta.url));
const engineSource = fileURLToPath(new URL('./engine.ts', import.meta.url));

/** The minified, gzipped size in KB of a module that re-exports `names` (or everything) from a core entry's sources. */
async function gzippedKb(
  names: readonly string[] | '*',
  from = source,
): Promise<{ kb: number; modules: string[] }> {
  const entry =
    names === '*'
      ? `export * from ${JSON.stringify(from)};`
      : `export { ${names.join(', ')} } from ${JSON.stringify(from)};`;
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

  it(`stays within ${BUDGETS_KB.engine} KB gzipped for the lean engine of @keypool/core/engine`, async () => {
    const { kb, modules } = await gzippedKb(ENGINE_IMPORTS, engineSource);
    const bundled = (name: string) => modules.some((id) => id.endsWith(`/${name}`));
    expect(bundled('pool-engine.ts')).toBe(true);
    expect(bundled('settle.ts')).toBe(true);
    // What only `KeyPool` reaches stays out: leases, history, secret updates, stream continuation, adaptive limits
    // (a plug-in here), and the memory store's window hand-over (the Redis store's).
    for (const name of [
      'key-pool.ts',
      'key-lease.ts',
      'pool-history.ts',
      'update-key-secret.ts',
      'pool-stream.ts',
      'adaptive-limit.ts',
      'hand-over-memory-store.ts',
      'sliding-window.ts',
    ])
      expect(bundled(name), name).toBe(false);
    expect(kb).toBeLessThanOrEqual(BUDGETS_KB.engine);
  }, 60_000);
});
