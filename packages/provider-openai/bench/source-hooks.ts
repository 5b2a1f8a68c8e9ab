/**
 * Lets `node bench/*.ts` run the workspace packages from their TypeScript sources: adds the `@keypool/source`
 * export condition and resolves extensionless relative imports (as core writes them) to their `.ts` files.
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const conditions = [...(context.conditions ?? []), '@keypool/source'];
    if (
      (specifier.startsWith('./') || specifier.startsWith('../')) &&
      context.parentURL?.endsWith('.ts') &&
      !/\.[cm]?[jt]s$/.test(specifier)
    ) {
      const candidate = new URL(`${specifier}.ts`, context.parentURL);
      if (existsSync(fileURLToPath(candidate)))
        return nextResolve(candidate.href, { ...context, conditions });
    }
    return nextResolve(specifier, { ...context, conditions });
  },
});
