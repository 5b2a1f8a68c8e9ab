import { defineProject } from 'vitest/config';

type ProjectTestOptions = NonNullable<
  Parameters<typeof defineProject>[0] extends infer C ? (C extends { test?: infer T } ? T : never) : never
>;

/**
 * The vitest project of one workspace package: tests beside the sources (`src/**\/*.test.ts`) and in `test/`, with
 * workspace packages read from their TypeScript sources (the `@keypool/source` export condition), never from a
 * `dist` that may be stale or mid-build. Project configs do not inherit the root config, hence this helper.
 */
export function keypoolProject(name: string, test: ProjectTestOptions = {}) {
  return defineProject({
    resolve: { conditions: ['@keypool/source'] },
    ssr: { resolve: { conditions: ['@keypool/source'] } },
    test: { name, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...test },
  });
}
