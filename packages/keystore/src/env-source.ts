import { SecretResolveError } from './secret-resolve-error';
import type { SecretRefContext, SecretSource } from './secret-source';

/**
 * The `env:` secret source: `env:NAME` is the (trimmed) value of the environment variable `NAME`. A variable that is
 * missing or empty is an error naming the variable.
 */
export function envSource(env: Record<string, string | undefined> = process.env): SecretSource {
  return {
    scheme: 'env',
    async resolve(name: string, context?: SecretRefContext): Promise<string> {
      const value = env[name];
      if (value === undefined || value.trim() === '') {
        throw new SecretResolveError([
          {
            ref: `env:${name}`,
            ...context,
            reason: `environment variable ${name} is ${value === undefined ? 'not set' : 'set but empty'}`,
          },
        ]);
      }
      return value.trim();
    },
  };
}
