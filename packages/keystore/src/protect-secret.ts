import { fingerprintSecret, maskSecret } from '@keypool/core';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type InspectFunction = (value: unknown, options?: unknown) => string;

/** The object with `secret` replaced by its masked form and fingerprint: what JSON and inspect show. */
export function redactSecret<T extends { secret: string }>(
  value: T,
): Omit<T, 'secret'> & { masked: string; fingerprint: string } {
  const { secret, ...rest } = value;
  return { ...rest, masked: maskSecret(secret), fingerprint: fingerprintSecret(secret) };
}

/**
 * Makes an object that holds a `secret` safe to log: `JSON.stringify`, `String()` and `util.inspect` show the masked
 * form and fingerprint instead. The secret stays a plain enumerable property so the pool can read and copy it; the
 * guards are non-enumerable, so they neither show up in the object's keys nor travel with a spread copy.
 */
export function protectSecret<T extends { secret: string }>(value: T, label = 'secret'): T {
  Object.defineProperties(value, {
    toJSON: {
      value(this: T) {
        return redactSecret(this);
      },
      configurable: true,
      writable: true,
    },
    toString: {
      value(this: T & { id?: unknown }) {
        return `[${label}${typeof this.id === 'string' ? ` ${this.id}` : ''} ${maskSecret(this.secret)}]`;
      },
      configurable: true,
      writable: true,
    },
    [INSPECT]: {
      value(this: T, _depth: number, options: unknown, inspect: InspectFunction) {
        return inspect(redactSecret(this), options);
      },
      configurable: true,
      writable: true,
    },
  });
  return value;
}
