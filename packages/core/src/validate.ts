import { didYouMean } from './did-you-mean';

/**
 * A small validator for the pool's configuration (keys, pool options), written for core so that a pool bundles a few
 * hundred bytes of checks instead of a schema library. Each check names its field in its message; paths are kept as
 * parts (`['keys', 2, 'limits', 'rpm']`) and formatted by `formatPath`.
 */

/** Where a value sits in the input: property names and array indexes. */
export type IssuePath = (string | number)[];

/** One problem found by a validator. A `fatal` one (a wrong type, an unknown field) skips the checks of its parents. */
export interface ValidationIssue {
  path: IssuePath;
  message: string;
  fatal?: boolean;
}

/** The outcome of `safeParse`: the value (ids trimmed) or every issue found. */
export type ValidationResult<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: ValidationIssue[] } };

/** A validator: `safeParse` checks a value and returns it (normalised) or its issues. */
export interface Validator<T> {
  safeParse(value: unknown): ValidationResult<T>;
  /** Checks `value` at `path`, adding issues to `issues`; returns the normalised value. */
  run(value: unknown, path: IssuePath, issues: ValidationIssue[]): T;
  /** True when `undefined` is accepted (an optional field). */
  readonly optional?: boolean;
}

/** A rule on a checked value: a test and the message when it fails. */
export type Rule<T> = readonly [test: (value: T) => boolean, message: string];

/** Reports a problem at a path relative to the value being checked. */
export type Report = (message: string, path?: IssuePath) => void;

/** Builds a validator from its `run` function. */
export function validator<T>(run: Validator<T>['run'], optional?: boolean): Validator<T> {
  return {
    run,
    optional,
    safeParse(value) {
      const issues: ValidationIssue[] = [];
      const data = run(value, [], issues);
      return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data };
    },
  };
}

/** The same validator, accepting `undefined`. */
export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return validator(
    (value, path, issues) => (value === undefined ? undefined : inner.run(value, path, issues)),
    true,
  );
}

/** Runs `rules` on a value whose type is right, reporting each that fails (they do not stop the others). */
function applyRules<T>(
  value: T,
  rules: readonly Rule<T>[],
  path: IssuePath,
  issues: ValidationIssue[],
): void {
  for (const [test, message] of rules) if (!test(value)) issues.push({ path, message });
}

/** A finite number (an integer with `integer`), then `rules`; `typeMessage` when it is not one. */
export function number(
  typeMessage: string,
  rules: readonly Rule<number>[] = [],
  integer = false,
): Validator<number> {
  return validator((value, path, issues) => {
    const valid =
      typeof value === 'number' && (integer ? Number.isSafeInteger(value) : Number.isFinite(value));
    if (!valid) issues.push({ path, message: typeMessage, fatal: true });
    else applyRules(value, rules, path, issues);
    return value as number;
  });
}

/** A string (trimmed with `trim`), then `rules`; `typeMessage` when it is not one. */
export function string(
  typeMessage: string,
  rules: readonly Rule<string>[] = [],
  trim = false,
): Validator<string> {
  return validator((value, path, issues) => {
    if (typeof value !== 'string') {
      issues.push({ path, message: typeMessage, fatal: true });
      return value as string;
    }
    const out = trim ? value.trim() : value;
    applyRules(out, rules, path, issues);
    return out;
  });
}

/** `true` or `false`. */
export function boolean(typeMessage: string): Validator<boolean> {
  return validator((value, path, issues) => {
    if (typeof value !== 'boolean') issues.push({ path, message: typeMessage, fatal: true });
    return value as boolean;
  });
}

/** Any value, checked by `check` (which reports with paths relative to the value). */
export function custom<T = unknown>(check: (value: unknown, report: Report) => void): Validator<T> {
  return validator((value, path, issues) => {
    check(value, (message, at = []) => issues.push({ path: [...path, ...at], message }));
    return value as T;
  });
}

/** True when checks at or under `path` have found a fatal issue since `from`. */
function fatalSince(issues: readonly ValidationIssue[], from: number): boolean {
  for (let index = from; index < issues.length; index++) if (issues[index]!.fatal) return true;
  return false;
}

/** A list whose items each pass `item`; then `rules` and `check` on the whole list (unless an item had a wrong type). */
export function array<T>(
  item: Validator<T>,
  typeMessage: string,
  rules: readonly Rule<T[]>[] = [],
  check?: (list: T[], report: Report) => void,
): Validator<T[]> {
  return validator((value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ path, message: typeMessage, fatal: true });
      return value as T[];
    }
    const from = issues.length;
    const out = value.map((entry, index) => item.run(entry, [...path, index], issues));
    if (!fatalSince(issues, from)) {
      applyRules(out, rules, path, issues);
      check?.(out, (message, at = []) => issues.push({ path: [...path, ...at], message }));
    }
    return out;
  });
}

/** How an object treats names it does not know. */
export interface ObjectOptions<T> {
  /** Refuse unknown names as `unknown <what> "name"` with a did-you-mean hint; without it they pass through. */
  unknown?: { what: string; names?: readonly string[]; listKnown?: boolean };
  /** Cross-field checks, run when no field had a wrong type. */
  check?: (value: T, report: Report) => void;
}

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose fields each pass their validator (`optional` ones may be absent). */
export function object<T>(
  shape: { readonly [K in keyof T]-?: Validator<T[K]> },
  typeMessage: string,
  options: ObjectOptions<T> = {},
): Validator<T> {
  const names = Object.keys(shape) as (keyof T & string)[];
  return validator((value, path, issues) => {
    if (!isRecord(value)) {
      issues.push({ path, message: typeMessage, fatal: true });
      return value as T;
    }
    const from = issues.length;
    const out: Record<string, unknown> = options.unknown ? {} : { ...value };
    for (const name of names) {
      const field = shape[name] as Validator<unknown>;
      if (value[name] === undefined && field.optional) continue;
      out[name] = field.run(value[name], [...path, name], issues);
    }
    if (options.unknown) unknownNames(value, options.unknown, path, issues, options.unknown.names ?? names);
    if (!fatalSince(issues, from))
      options.check?.(out as T, (message, at = []) => issues.push({ path: [...path, ...at], message }));
    return out as T;
  });
}

/** Reports every own name of `value` that is not in `known`, suggesting the nearest known name. */
export function unknownNames(
  value: Record<string, unknown>,
  { what, listKnown = true }: { what: string; listKnown?: boolean },
  path: IssuePath,
  issues: ValidationIssue[],
  known: readonly string[],
): void {
  for (const name of Object.keys(value)) {
    if (known.includes(name)) continue;
    const hint = didYouMean(name, known);
    const rest = hint ? ` (did you mean ${hint}?)` : listKnown ? ` (known: ${known.join(', ')})` : '';
    issues.push({ path: [...path, name], message: `unknown ${what} "${name}"${rest}`, fatal: true });
  }
}

/** An object of `entry` values by any name; names outside `names` (when given) are refused as unknown `what`. */
export function record<T>(
  entry: Validator<T>,
  typeMessage: string,
  unknown?: { what: string; names: readonly string[] },
): Validator<Record<string, T>> {
  return validator((value, path, issues) => {
    if (!isRecord(value)) {
      issues.push({ path, message: typeMessage, fatal: true });
      return value as Record<string, T>;
    }
    const out: Record<string, T> = {};
    for (const [name, item] of Object.entries(value)) out[name] = entry.run(item, [...path, name], issues);
    if (unknown) unknownNames(value, unknown, path, issues, unknown.names);
    return out;
  });
}
