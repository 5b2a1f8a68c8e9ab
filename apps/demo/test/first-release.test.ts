import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface ReleasePlan {
  releases: { name: string; type: string; oldVersion: string; newVersion: string }[];
}

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

it('releases every package never versioned before as 0.1.0 (`changeset status`)', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'keypool-release-plan-'));
  try {
    const output = join(directory, 'plan.json');
    const bin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
    await run(process.execPath, [bin, 'status', '--output', output], { cwd: root });
    const plan = JSON.parse(await readFile(output, 'utf8')) as ReleasePlan;
    const packages = await published();
    expect(packages.map((entry) => entry.name)).toContain('keypool');
    for (const { name, version, released } of packages) {
      if (released) continue; // versioned before: its next version is not a first release
      expect(`${name}@${version}`).toBe(`${name}@0.0.0`);
      const release = plan.releases.find((candidate) => candidate.name === name);
      expect(release, `${name} has no pending changeset`).toBeDefined();
      expect(`${name}@${release!.newVersion}`).toBe(`${name}@0.1.0`);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
