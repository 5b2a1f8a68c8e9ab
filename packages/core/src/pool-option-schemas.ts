import {
  atLeast,
  CONTINUATION_OPTION_NAMES,
  cooldownOptionsSchema,
  INTERRUPT_MODES,
  integerAtLeast,
  nonNegative,
  oneOf,
  POOL_OPTION_NAMES,
  policyOverridesSchema,
  positive,
  retryBackoffSchema,
} from './config';
import { ContinuationCapabilities } from './continuation-capabilities';
import { boolean, custom, number, object, optional } from './validate';

// The plain-data pool options, checked by core's validator. The schemas only `KeyPool`'s options need are built in
// calls marked pure, so a bundle of the lean engine keeps `engineNumericOptionsSchema` and drops them. (The builders
// themselves carry no `@__NO_SIDE_EFFECTS__` mark: a bundler would then annotate every call to them, 16 bytes each.)

const METHODS = ['prefill', 'restart'];

/** A pool's `continuation` settings: a capability table (rules or a shared table) and two bounds. */
export const continuationOptionsSchema = /* @__PURE__ */ (() =>
  object(
    {
      capabilities: optional(
        custom((value, report) => {
          if (value instanceof ContinuationCapabilities) return;
          if (!Array.isArray(value)) {
            report('capabilities must be an array of rules or a table');
            return;
          }
          value.forEach((rule: { method?: unknown } | null, index) => {
            if (typeof rule?.method !== 'string' || !METHODS.includes(rule.method))
              report('method must be "prefill" or "restart"', [index, 'method']);
          });
        }),
      ),
      maxContinuations: integerAtLeast('maxContinuations', 0),
      maxOverlapWords: integerAtLeast('maxOverlapWords', 0),
    },
    'continuation must be an object of capabilities, maxContinuations and maxOverlapWords',
    { unknown: { what: 'continuation option', names: CONTINUATION_OPTION_NAMES } },
  ))();

/** The plain-data options of the lean engine (`PoolEngine`): everything but saved state, history and continuation. */
const engineOptionShape = {
  maxAttempts: optional(number('maxAttempts must be an integer', [atLeast('maxAttempts', 1)], true)),
  attemptTimeoutMs: positive('attemptTimeoutMs'),
  deadlineMs: positive('deadlineMs'),
  maxWaitMs: nonNegative('maxWaitMs'),
  retryBaseMs: nonNegative('retryBaseMs'),
  streamIdleTimeoutMs: positive('streamIdleTimeoutMs'),
  windowMs: positive('windowMs'),
  dayMs: positive('dayMs'),
  firstByteTimeoutMs: positive('firstByteTimeoutMs'),
  maxClients: integerAtLeast('maxClients', 1),
  failureThreshold: integerAtLeast('failureThreshold', 1),
  failureResetMs: positive('failureResetMs'),
  retryBackoff: optional(retryBackoffSchema),
  cooldown: optional(cooldownOptionsSchema),
  policy: optional(policyOverridesSchema),
};

/** Two shapes as one. */
const joined = <A, B>(a: A, b: B): A & B => ({ ...a, ...b });

const optionsMessage = 'pool options must be an object';
const unknownOption = { unknown: { what: 'pool option', names: POOL_OPTION_NAMES } };

/** The serialisable part of the lean engine's options (functions and objects are checked by the engine itself). */
export const engineNumericOptionsSchema = object(engineOptionShape, optionsMessage, unknownOption);

/** The serialisable part of the pool options (functions and objects are checked by the pool itself). */
export const poolNumericOptionsSchema = /* @__PURE__ */ (() =>
  object(
    joined(engineOptionShape, {
      // The lean engine takes adaptive limits as a plug-in (`adaptiveLimiter()`), checked by `validateEngineOptions`.
      adaptiveLimits: optional(boolean('adaptiveLimits must be true or false')),
      historySize: optional(
        number(
          'historySize must be an integer',
          [atLeast('historySize', 0), [(value) => value <= 1_000, 'historySize must be <= 1000']],
          true,
        ),
      ),
      onInterrupt: oneOf('onInterrupt', INTERRUPT_MODES),
      continuation: optional(continuationOptionsSchema),
      nativeStreams: optional(
        object(
          { onInterrupt: oneOf('onInterrupt', INTERRUPT_MODES) },
          'nativeStreams must be an object like { onInterrupt: "continue" }',
          { unknown: { what: 'nativeStreams option', names: ['onInterrupt'] } },
        ),
      ),
    }),
    optionsMessage,
    unknownOption,
  ))();
