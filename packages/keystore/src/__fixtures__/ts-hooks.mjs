// Lets a plain `node` process run this package's TypeScript sources (Node 24 strips types itself): resolves
// extensionless relative imports to `.ts` files and workspace packages to their sources. `@keypool/core` is
// resolved to `core-secrets.mjs` (its masking and scrubbing files) only: that is all this package uses from it, and
// loading (and type-stripping) the whole engine in each of the 20 concurrent writer processes would make the test slow
// on a busy machine.
import { registerHooks } from 'node:module';

const CORE_SECRET = new URL('./core-secrets.mjs', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const conditions = ['@keypool/source', ...(context.conditions ?? [])];
    if (specifier === '@keypool/core') return nextResolve(CORE_SECRET, { ...context, conditions });
    try {
      return nextResolve(specifier, { ...context, conditions });
    } catch (error) {
      if (/^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier)) {
        return nextResolve(`${specifier}.ts`, { ...context, conditions });
      }
      throw error;
    }
  },
});
