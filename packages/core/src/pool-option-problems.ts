import { POOL_OPTION_NAMES, STRATEGY_NAMES } from './config';
import { maskKeyLike } from './mask-key-like';
import { poolNumericOptionsSchema } from './pool-option-schemas';
import type { Validator } from './validate';

/** Pool options only code can give (the adapter, the keys, functions, a store object): never in a keys file. */
export const CODE_ONLY_POOL_OPTIONS = [
  'adapter',
  'keys',
  'store',
  'initialState',
  'now',
  'random',
  'modelScope',
] as const;

/** The name of a pool option only code can give (see `CODE_ONLY_POOL_OPTIONS`). */
export type CodeOnlyPoolOption = (typeof CODE_ONLY_POOL_OPTIONS)[number];

const CODE_ONLY: readonly string[] = CODE_ONLY_POOL_OPTIONS;

/** One problem with pool options: where (`['cooldown', 'maxMs']`) and what is wrong. */
export interface PoolOptionProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Checks pool options against the pool's own rules (the one schema `createKeyPool` uses): known names only, every
 * value in range, a strategy by its name. With `dataOnly` (a keys file), options only code can give are refused too.
 * Returns every problem, with its path relative to the options; an empty list when they are valid. Anything
 * key-like a message or path would echo (a secret pasted as a strategy or an option name) is masked.
 */
export function poolOptionProblems(options: unknown, { dataOnly = false } = {}): PoolOptionProblem[] {
  const problems = optionProblems(poolNumericOptionsSchema, options, dataOnly);
  if (dataOnly && typeof options === 'object' && options !== null && !Array.isArray(options)) {
    for (const name of Object.keys(options as object)) {
      if (CODE_ONLY.includes(name))
        problems.push({
          path: [name],
          message: `${name} is set in code (createKeyPool), not in a keys file`,
        });
    }
  }
  // A value or a name echoed in a message may be a key pasted in the wrong place: mask anything key-like.
  return problems.map((problem) => ({
    path: problem.path.map((part) => (typeof part === 'string' ? maskKeyLike(part) : part)),
    message: maskKeyLike(problem.message),
  }));
}

/**
 * The problems of the schema of the plain-data options (the lean engine has its own) and of a strategy given by name
 * (any strategy with `dataOnly`), unmasked: a pool's `ConfigError` masks what it shows, `poolOptionProblems` masks
 * what it returns.
 */
export function optionProblems(
  schema: Validator<unknown>,
  options: unknown,
  dataOnly = false,
): PoolOptionProblem[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return [{ path: [], message: 'pool options must be an object' }];
  const problems: PoolOptionProblem[] = [];
  const parsed = schema.safeParse(options);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      problems.push({
        path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
        message: issue.message,
      });
  const strategy = (options as Record<string, unknown>).strategy;
  if (strategy !== undefined && (dataOnly || typeof strategy === 'string')) {
    if (typeof strategy !== 'string' || !(STRATEGY_NAMES as readonly string[]).includes(strategy))
      problems.push({
        path: ['strategy'],
        message: `unknown strategy ${typeof strategy === 'string' ? `"${strategy}"` : `(${typeof strategy})`} (one of ${STRATEGY_NAMES.join(', ')})`,
      });
  }
  return problems;
}

/** The pool options a keys file may set: every option the pool accepts that is plain data. */
export function dataPoolOptionNames(): string[] {
  return POOL_OPTION_NAMES.filter((name) => !CODE_ONLY.includes(name));
}
