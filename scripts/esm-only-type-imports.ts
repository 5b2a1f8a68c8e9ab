import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A tsdown `onSuccess` step for packages whose SDK is ESM-only (or types itself as ESM): their CommonJS declarations
 * (`dist/*.d.cts`) import its types with `resolution-mode: import`, so a CommonJS TypeScript project under
 * `moduleResolution: node16` compiles against them (without it, tsc reports TS1479: a CommonJS file cannot require
 * an ES module, though these imports are types only and Node >= 22.12 can `require()` ESM at run time).
 *
 * @param packages The ESM-only packages (an import of `pkg` or `pkg/...` is marked).
 */
export function esmOnlyTypeImports(
  packages: readonly string[],
): (config: { outDir: string }) => Promise<void> {
  const names = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  const statement = new RegExp(`^import \\{([^}]*)\\} from "((?:${names})(?:/[^"]*)?)";$`, 'gm');
  return async ({ outDir }) => {
    for (const file of await readdir(outDir)) {
      if (!file.endsWith('.d.cts')) continue;
      const path = join(outDir, file);
      const text = await readFile(path, 'utf8');
      const marked = text.replace(
        statement,
        (_line, imported: string, from: string) =>
          `import type {${imported}} from "${from}" with { "resolution-mode": "import" };`,
      );
      if (marked !== text) await writeFile(path, marked);
    }
  };
}
