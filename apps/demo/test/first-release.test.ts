import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Name and version of every package the repository publishes (not private), and whether it was ever versioned:
 * `changeset version` writes a CHANGELOG.md beside the package.json.
 */
async function published(): Promise<{ name: string; version: string; released: boolean }[]> {
  const found: { name: string; version: string; released: boolean }[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of await readdir(join(root, parent))) {
      const text = await readFile(join(root, parent, entry, 'package.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const manifest = JSON.parse(text) as { name?: string; version?: string; private?: boolean };
      if (manifest.name && manifest.private !== true) {
        const changelog = await readFile(join(root, parent, entry, 'CHANGELOG.md'), 'utf8').catch(
          () => undefined,
        );
        found.push({
          name: manifest.name,
          version: manifest.version ?? '',
          released: changelog !== undefined,
        });
      }
    }
  }
  return found;
}

/** The bump each package gets from the pending changesets (`.changeset/*.md` front matter), the highest one. */
async function pendingBumps(): Promise<Map<string, string>> {
  const order = ['patch', 'minor', 'major'];
  const bumps = new Map<string, string>();
  const folder = join(root, '.changeset');
  for (const file of await readdir(folder)) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const front = /^---\n([\s\S]*?)\n---/.exec(await readFile(join(folder, file), 'utf8'))?.[1] ?? '';
    for (const line of front.split('\n')) {
      const match = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/.exec(line);
      if (!match) continue;
      const [, name, bump] = match as unknown as [string, string, string];
      if (order.indexOf(bump) > order.indexOf(bumps.get(name) ?? '')) bumps.set(name, bump);
    }
  }
  return bumps;
}

// The changesets' own release plan (`changeset status`) also fails on a branch that changed a package without a
// changeset, so this reads the pending changesets directly; `pnpm changeset status` agrees on main.
it('releases every package never versioned before as 0.1.0: at 0.0.0, with a minor changeset', async () => {
  const packages = await published();
  const bumps = await pendingBumps();
  expect(packages.map((entry) => entry.name)).toContain('keypool');
  for (const { name, version, released } of packages) {
    if (released) continue; // versioned before: its next version is not a first release
    expect(`${name}@${version}`).toBe(`${name}@0.0.0`);
    expect(`${name}: ${bumps.get(name) ?? 'no changeset'}`).toBe(`${name}: minor`);
  }
});
