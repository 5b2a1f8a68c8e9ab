import { registerHooks } from 'node:module';

/**
 * Lets plain `node --conditions=@keypool/source` run the workspace's TypeScript sources. Core's sources import each
 * other without extensions (`./abort`), which bundlers and vitest resolve but Node does not: this hook retries such a
 * relative import with `.ts`, then `/index.ts`. Call it before the first dynamic import of a workspace package.
 */
export function registerSourceHooks(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        const relative = specifier.startsWith('./') || specifier.startsWith('../');
        if (!relative || /\.[cm]?[jt]s$/.test(specifier)) throw error;
        for (const suffix of ['.ts', '/index.ts']) {
          try {
            return nextResolve(specifier + suffix, context);
          } catch {
            // Try the next form.
          }
        }
        throw error;
      }
    },
  });
}
