/**
 * Lets plain `node` (24+, with type stripping) run this package straight from its TypeScript sources, the way vitest
 * does: `@keypool/*` imports resolve to the workspace sources (the `@keypool/source` export condition) instead of
 * their possibly stale `dist`, and extensionless relative imports inside those sources get their `.ts` back.
 * Import it first (e.g. `node --import ./dev/register-source.ts src/cli.ts`), before any module that needs it.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('@keypool/')) {
      return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@keypool/source'] });
    }
    const fromTypeScript = context.parentURL?.endsWith('.ts') ?? false;
    if (fromTypeScript && specifier.startsWith('.') && !/\.[cm]?[jt]s$/.test(specifier)) {
      try {
        return nextResolve(`${specifier}.ts`, context);
      } catch {
        return nextResolve(specifier, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
