/**
 * Scenarios 2 to 6: fault patterns (a limited key, recovery, capacity, a revoked key, an outage), each a plan of keys,
 * emulator behaviour and calls that `runPlan` drives against every contender and reads back from the emulator's log.
 */
import {
  type EmulatorConfig,
  type KeyBehaviour,
  type RequestLogEntry,
  startEmulator,
} from '@keypool/emulator';
import { type BenchKey, type Contender, keypool, type Runner, type Setup } from './contenders.ts';
import { type DriveOptions, type DriveResult, drive } from './drive.ts';
import { retryGaps, summarizeTraffic } from './log-analysis.ts';
import type { MetricDef, Row, ScenarioResult } from './report.ts';
import {
  ANTHROPIC_SECRET,
  anthropicKey,
  benchKeys,
  callMs,
  FALLBACK_MODEL,
  labelOf,
  MODEL,
  okCalls,
  percent,
  type ScenarioContext,
  scaled,
  served,
  shareText,
} from './scenario-kit.ts';
import { ratio, round } from './stats.ts';

export interface Plan {
  id: string;
  title: string;
  description: string;
  metrics: MetricDef[];
  windowMs: number;
  keys: KeyBehaviour[];
  models?: EmulatorConfig['models'];
  fallback?: boolean;
  keypoolLimits?: 'configured' | 'learned';
  maxWaitMs: number;
  drive: DriveOptions;
  /** The contenders of this scenario, from the run's list (default: all of them). */
  pick?: (contenders: readonly Contender[]) => readonly Contender[];
  /** Calls the plain client makes before the contender starts (e.g. to spend a key's window). */
  prepare?: (emulatorBaseURL: string, keys: readonly BenchKey[]) => Promise<void>;
  analyze(input: {
    result: DriveResult;
    log: readonly RequestLogEntry[];
    keys: readonly BenchKey[];
    runner: Runner;
    windowMs: number;
  }): Record<string, number | string | null>;
}

export async function runPlan(plan: Plan, context: ScenarioContext): Promise<ScenarioResult> {
  const rows: Row[] = [];
  for (const contender of plan.pick?.(context.contenders) ?? context.contenders) {
    const reason = contender.cannot?.[plan.id];
    if (reason !== undefined) {
      rows.push({ contender: contender.label, status: 'cannot', reason, values: {} });
      continue;
    }
    if (contender.id === 'portkey' && context.gateway === undefined) {
      rows.push({
        contender: contender.label,
        status: 'cannot',
        reason: context.gatewayProblem ?? 'no gateway',
        values: {},
      });
      continue;
    }
    const keys = benchKeys(plan.keys);
    const emulator = await startEmulator({
      windowMs: plan.windowMs,
      logRawKeys: true,
      keys: {
        ...Object.fromEntries(keys.map((key, index) => [key.secret, plan.keys[index]!])),
        [ANTHROPIC_SECRET]: {},
      },
      ...(plan.models === undefined ? {} : { models: plan.models }),
    });
    let runner: Runner | undefined;
    try {
      const setup: Setup = {
        openaiBaseURL: emulator.baseURLs.openai,
        anthropicBaseURL: emulator.baseURLs.anthropic,
        keys,
        model: MODEL,
        ...(plan.fallback === true ? { fallback: { model: FALLBACK_MODEL, keys: [anthropicKey] } } : {}),
        windowMs: plan.windowMs,
        keypoolLimits: plan.keypoolLimits ?? 'learned',
        maxWaitMs: plan.maxWaitMs,
        ...(context.gateway === undefined ? {} : { gateway: context.gateway }),
      };
      runner = await contender.create(setup);
      await plan.prepare?.(emulator.baseURLs.openai, keys);
      const preparedUntil = emulator.requests.length;
      const result = await drive(runner, plan.drive);
      const log = emulator.requests.slice(preparedUntil);
      const values = plan.analyze({ result, log, keys, runner, windowMs: plan.windowMs });
      const errors = [
        ...new Set(result.records.filter((record) => !record.ok).map((record) => record.error)),
      ];
      rows.push({
        contender: contender.label,
        status: 'ran',
        values,
        details: {
          calls: plan.drive.calls,
          wallMs: result.wallMs,
          unfinished: result.unfinished,
          notStarted: result.notStarted,
          ...(errors.length > 0 ? { errors: errors.slice(0, 3) } : {}),
        },
      });
      context.log(`  ${contender.label}: ${JSON.stringify(values)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      rows.push({ contender: contender.label, status: 'error', reason: message.slice(0, 200), values: {} });
      context.log(`  ${contender.label}: error ${message}`);
    } finally {
      await runner?.close?.();
      await emulator.close();
    }
  }
  return { id: plan.id, title: plan.title, description: plan.description, metrics: plan.metrics, rows };
}

/** Scenario 2: one of three keys always answers 429. */
export function limitedPlan(scale: number): Plan {
  const calls = scaled(60, scale);
  return {
    id: 'limited',
    title: '2. One of three keys always rate-limited',
    description: `key-1 has rpm 0 (every request is a 429, retry-after 0), key-2 and key-3 are healthy; ${calls} calls, 4 at a time, 6 s deadline.`,
    metrics: [
      { key: 'served', label: 'served %', better: 'higher' },
      { key: 'attemptsPerServed', label: 'upstream attempts / served call', better: 'lower' },
      { key: 'wasted429', label: '429s wasted', better: 'lower' },
      { key: 'share', label: 'attempts % key-1 / key-2 / key-3' },
      { key: 'p50', label: 'call p50 ms', better: 'lower' },
    ],
    windowMs: 1000,
    keys: [{ rpm: 0 }, {}, {}],
    maxWaitMs: 1000,
    drive: { calls, concurrency: 4, deadlineMs: 6000 },
    analyze: ({ result, log, keys }) => {
      const traffic = summarizeTraffic(log, labelOf(keys));
      return {
        served: served(result, calls),
        attemptsPerServed: round(ratio(traffic.attempts, okCalls(result)), 2),
        wasted429: traffic.rateLimited,
        share: shareText(traffic.attemptsByKey, keys),
        p50: callMs(result, 0.5),
      };
    },
  };
}

/** Scenario 3: keys that run out of their window and recover after the retry-after. */
export function recoveryPlan(scale: number): Plan {
  const calls = scaled(15, scale);
  const windowMs = 1000;
  return {
    id: 'recovery',
    title: '3. A key that recovers after its retry-after',
    description: `key-1 and key-2 allow 3 requests per ${windowMs} ms window (a window opens at its first request); ${calls} calls one after another, 8 s deadline. After each 429 the emulator's log gives the wait it asked for (retry-after-ms, replayed from the window) and the wait the client took before its next request on that key.`,
    metrics: [
      { key: 'served', label: 'served %', better: 'higher' },
      { key: 'rateLimited', label: '429s', better: 'lower' },
      { key: 'honoured', label: 'retry-after honoured (gaps)' },
      { key: 'earliestMs', label: 'worst gap vs asked, ms', better: 'higher' },
      { key: 'wallMs', label: 'wall ms', better: 'lower' },
    ],
    windowMs,
    keys: [{ rpm: 3 }, { rpm: 3 }],
    maxWaitMs: 2 * windowMs,
    drive: { calls, concurrency: 1, deadlineMs: 8000 },
    analyze: ({ result, log, keys, windowMs: window }) => {
      const traffic = summarizeTraffic(log, labelOf(keys));
      const gaps = retryGaps(log, window, (secret) => keys.find((key) => key.secret === secret)?.rpm);
      const honoured = gaps.filter((gap) => gap.honoured).length;
      return {
        served: served(result, calls),
        rateLimited: traffic.rateLimited,
        honoured:
          traffic.rateLimited === 0
            ? 'no 429 sent'
            : gaps.length === 0
              ? 'no retry on that key'
              : `${honoured}/${gaps.length}${honoured === gaps.length ? ' yes' : ' no'}`,
        earliestMs:
          gaps.length === 0 ? null : round(Math.min(...gaps.map((gap) => gap.waitedMs - gap.askedMs)), 0),
        wallMs: result.wallMs,
      };
    },
  };
}

/** Scenario 4: K keys with an rpm limit each, N calls at high concurrency. */
export function capacityPlan(scale: number): Plan {
  const keysCount = 3;
  const rpm = 20;
  const windowMs = 1000;
  const windows = 3;
  const calls = Math.max(keysCount * rpm, Math.round(keysCount * rpm * windows * scale));
  const measuredWindows = Math.ceil(calls / (keysCount * rpm));
  return {
    id: 'capacity',
    title: '4. Capacity: K keys with an rpm limit, high concurrency',
    description: `K = ${keysCount} keys x R = ${rpm} requests per ${windowMs} ms window; N = ${calls} calls (exactly K x R x ${measuredWindows} windows), 30 at a time. Goodput = upstream successes within the first ${measuredWindows} windows from the first request / (K x R x ${measuredWindows}). Every client may hold a call for about two windows: Keypool maxWaitMs = ${2 * windowMs} ms, the SDKs' 2 retries wait up to one retry-after each.`,
    metrics: [
      { key: 'goodput', label: 'goodput % of K x R', better: 'higher' },
      { key: 'saw429', label: 'calls that saw a 429 %', better: 'lower' },
      { key: 'rateLimited', label: '429s', better: 'lower' },
      { key: 'served', label: 'served %', better: 'higher' },
      { key: 'wallMs', label: 'wall ms', better: 'lower' },
    ],
    windowMs,
    keys: Array.from({ length: keysCount }, () => ({ rpm })),
    keypoolLimits: 'configured',
    maxWaitMs: 2 * windowMs,
    pick: (contenders) =>
      contenders.flatMap((contender) =>
        contender.id === 'keypool' ? [keypool('configured'), keypool('learned')] : [contender],
      ),
    drive: { calls, concurrency: 30, deadlineMs: (measuredWindows + 2) * windowMs },
    analyze: ({ result, log, keys, windowMs: window }) => {
      const first = log[0]?.time ?? result.startedAt;
      const inWindow = log.filter(
        (entry) => entry.outcome === 'ok' && entry.time < first + measuredWindows * window,
      );
      const traffic = summarizeTraffic(log, labelOf(keys));
      const known = result.records.filter((record) => record.saw429 !== undefined);
      return {
        goodput: percent(ratio(inWindow.length, keysCount * rpm * measuredWindows)),
        saw429:
          known.length === 0 ? null : percent(ratio(known.filter((record) => record.saw429).length, calls)),
        rateLimited: traffic.rateLimited,
        served: served(result, calls),
        wallMs: result.wallMs,
      };
    },
  };
}

/** Scenario 5: a key revoked mid-run. */
export function revokedPlan(scale: number): Plan {
  const calls = scaled(60, scale);
  const revokeAfter = 10;
  return {
    id: 'revoked',
    title: '5. A key revoked mid-run',
    description: `key-1 is revoked after its first ${revokeAfter} requests (401 invalid_api_key from then on), key-2 and key-3 are healthy; ${calls} calls, 2 at a time, 6 s deadline.`,
    metrics: [
      { key: 'afterRevocation', label: 'attempts on the revoked key after revocation', better: 'lower' },
      { key: 'failed', label: 'calls failed', better: 'lower' },
      { key: 'served', label: 'served %', better: 'higher' },
      { key: 'attemptsPerServed', label: 'upstream attempts / served call', better: 'lower' },
    ],
    windowMs: 1000,
    keys: [{ revokeAfter }, {}, {}],
    maxWaitMs: 1000,
    drive: { calls, concurrency: 2, deadlineMs: 6000 },
    analyze: ({ result, log, keys }) => {
      const revoked = log.filter((entry) => entry.key === keys[0]!.secret && entry.outcome === 'invalid_key');
      return {
        afterRevocation: revoked.length,
        failed: calls - okCalls(result),
        served: served(result, calls),
        attemptsPerServed: round(ratio(log.length, okCalls(result)), 2),
      };
    },
  };
}

/** Scenario 6: OpenAI is down for the whole run; Anthropic is the fallback. */
export function outagePlan(scale: number): Plan {
  const calls = scaled(60, scale);
  return {
    id: 'outage',
    title: '6. A provider outage with a fallback',
    description: `OpenAI answers 503 (overloaded) to every request for the whole run; the fallback is Anthropic (claude) on the same emulator; ${calls} calls, 4 at a time, 8 s deadline.`,
    metrics: [
      { key: 'served', label: 'served %', better: 'higher' },
      { key: 'deadPerCall', label: 'attempts to the dead provider / call', better: 'lower' },
      { key: 'whileOpen', label: 'attempts while circuit open', better: 'lower' },
      { key: 'p50', label: 'call p50 ms', better: 'lower' },
    ],
    windowMs: 1000,
    keys: [{}, {}, {}],
    models: { [MODEL]: { overloaded: true } },
    fallback: true,
    maxWaitMs: 1000,
    drive: { calls, concurrency: 4, deadlineMs: 8000 },
    analyze: ({ result, log, runner }) => {
      const dead = log.filter((entry) => entry.provider === 'openai');
      const spans = (runner.extra?.().breakerOpenSpans ?? undefined) as
        | { from: number; until: number }[]
        | undefined;
      // Calls that started while the breaker was open, and the attempts they made to the dead provider.
      const openCalls = result.records.filter((record) =>
        (spans ?? []).some((span) => record.startedAt >= span.from && record.startedAt < span.until),
      );
      const openAttempts = openCalls.reduce(
        (sum, record) =>
          sum + (record.attempts ?? []).filter((attempt) => attempt.provider === 'openai').length,
        0,
      );
      const whileOpen = spans === undefined ? 'no circuit' : `${openAttempts} in ${openCalls.length} calls`;
      const started = result.records.length + result.unfinished;
      return {
        served: served(result, calls),
        deadPerCall: round(ratio(dead.length, Math.max(1, started)), 2),
        whileOpen,
        p50: callMs(result, 0.5),
      };
    },
  };
}
