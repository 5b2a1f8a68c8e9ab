import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const VENDOR = /^(@aws-sdk|@azure|@google-cloud)\//;

/** Every module a source file loads at run time (type-only imports are erased), following relative imports. */
function runtimeImports(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(new URL(`../src/${entry}`, import.meta.url), 'utf8');
  for (const match of source.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)';/gms)) {
    const [, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
    if (typeOnly) continue;
    if (specifier.startsWith('./')) runtimeImports(`${specifier.slice(2)}.ts`, seen);
    else seen.add(specifier);
  }
  return seen;
}

it('loads no vendor SDK from the main entry, and each store subpath only its own (Azure and Google: types only)', () => {
  const vendors = (entry: string) => [...runtimeImports(entry)].filter((name) => VENDOR.test(name));
  expect(vendors('index.ts')).toEqual([]);
  expect(vendors('vault.ts')).toEqual([]);
  expect(vendors('azure.ts')).toEqual([]);
  expect(vendors('gcp.ts')).toEqual([]);
  expect(vendors('aws.ts')).toEqual(['@aws-sdk/client-secrets-manager']);
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(Object.keys(manifest.dependencies)).toEqual(['@keypool/core']);
  for (const name of Object.keys(manifest.peerDependencies)) {
    expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
  }
});
