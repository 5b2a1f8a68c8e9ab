/**
 * The six scenarios. Each runs the contenders one at a time, each against a fresh emulator (so nothing one contender
 * leaves in flight reaches the next one's log), with a fixed number of calls and a hard deadline, and reads what
 * happened upstream from the emulator's request log.
 */
import {
  type EmulatorConfig,
  type KeyBehaviour,
  type RequestLogEntry,
  startEmulator,
} from '@keypool/emulator';
import OpenAI from 'openai';
import { type BenchKey, type Contender, keypool, type Runner, type Setup } from './contenders.ts';
import { type DriveOptions, type DriveResult, drive } from './drive.ts';
import { retryGaps, summarizeTraffic } from './log-analysis.ts';
import type { Gateway } from './portkey.ts';
import type { MetricDef, Row, ScenarioResult } from './report.ts';
import { addedLatency, median, quantile, ratio, round } from './stats.ts';

export interface ScenarioContext {
  contenders: readonly Contender[];
  gateway: Gateway | undefined;
  /** Why the gateway is not running, when it is not. */
  gatewayProblem?: string;
  /** Multiplies call counts (BENCH_SCALE), for a quicker or a longer run. */
  scale: number;
  log(message: string): void;
}

export const MODEL = 'gpt-4o';
const FALLBACK_MODEL = 'claude-haiku-4-5';
const SECRETS = [1, 2, 3].map((index) => `sk-bench-key-${index}-0000000000000000000000${index}`);
const ANTHROPIC_SECRET = 'sk-ant-bench-fallback-00000000000000000001';

function benchKeys(behaviours: readonly KeyBehaviour[]): BenchKey[] {
  return behaviours.map((behaviour, index) => ({
    id: `key-${index + 1}`,
    secret: SECRETS[index]!,
    ...(behaviour.rpm === undefined ? {} : { rpm: behaviour.rpm }),
  }));
}

const labelOf =
  (keys: readonly BenchKey[]) =>
  (secret: string): string =>
    keys.find((key) => key.secret === secret)?.id ?? (secret === ANTHROPIC_SECRET ? 'anthropic' : 'other');

const percent = (value: number): number => round(value * 100, 1);
const scaled = (calls: number, scale: number): number => Math.max(4, Math.round(calls * scale));

interface Plan {
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

async function runPlan(plan: Plan, context: ScenarioContext): Promise<ScenarioResult> {
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

const anthropicKey: BenchKey = { id: 'anthropic-1', secret: ANTHROPIC_SECRET };

const served = (result: DriveResult, calls: number): number =>
  percent(ratio(result.records.filter((record) => record.ok).length, calls));
const okCalls = (result: DriveResult): number => result.records.filter((record) => record.ok).length;
const callMs = (result: DriveResult, q: number): number =>
  round(
    quantile(
      result.records.filter((record) => record.ok).map((record) => record.ms),
      q,
    ),
    1,
  );

function shareText(counts: Record<string, number>, keys: readonly BenchKey[]): string {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return keys.map((key) => `${Math.round((100 * (counts[key.id] ?? 0)) / Math.max(1, total))}`).join(' / ');
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

const CANNED_COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: MODEL,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: bench' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
});
const CANNED_HEADERS = {
  'content-type': 'application/json',
  'x-request-id': 'req_bench',
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '30000000',
  'x-ratelimit-remaining-tokens': '29999990',
  'x-ratelimit-reset-tokens': '0s',
};
/** A fetch that answers every request at once with the same completion: what remains is the clients' CPU cost. */
const cannedFetch: typeof fetch = async () =>
  new Response(CANNED_COMPLETION, { status: 200, headers: CANNED_HEADERS });

interface Timed {
  label: string;
  call: (round: number) => Promise<boolean>;
  times: number[];
  failures: number;
}

/** Calls every entry once per round, starting from a different one each round; times only rounds >= 0. */
async function interleave(entries: Timed[], rounds: number, warmup: number, budgetMs: number): Promise<void> {
  const stopAt = Date.now() + budgetMs;
  for (let round = -warmup; round < rounds && Date.now() < stopAt; round++) {
    const shift = ((round % entries.length) + entries.length) % entries.length;
    for (const entry of [...entries.slice(shift), ...entries.slice(0, shift)]) {
      const started = performance.now();
      const ok = await entry.call(round);
      const elapsed = performance.now() - started;
      if (!ok) entry.failures++;
      if (round >= 0) entry.times.push(elapsed);
    }
  }
}

/**
 * CPU time per call (user + system, this process), in blocks of `blockSize` calls per entry, entries interleaved by
 * block: the median of each entry's blocks. Unlike wall time, CPU time does not grow while other processes hold the
 * cores, so it is the steadier figure on a loaded machine.
 */
async function cpuPerCall(
  entries: Timed[],
  blocks: number,
  blockSize: number,
  budgetMs: number,
): Promise<number[][]> {
  const samples = entries.map((): number[] => []);
  const stopAt = Date.now() + budgetMs;
  for (let block = 0; block < blocks && Date.now() < stopAt; block++) {
    const shift = block % entries.length;
    for (let offset = 0; offset < entries.length; offset++) {
      const index = (shift + offset) % entries.length;
      const entry = entries[index]!;
      const before = process.cpuUsage();
      for (let call = 0; call < blockSize; call++) await entry.call(call);
      const used = process.cpuUsage(before);
      samples[index]!.push((used.user + used.system) / 1000 / blockSize);
    }
  }
  return samples;
}

/** Scenario 1: healthy keys, every contender and a direct SDK call interleaved, one call at a time. */
export async function healthyScenario(context: ScenarioContext): Promise<ScenarioResult> {
  const rounds = scaled(400, context.scale);
  const warmup = Math.max(20, Math.round(rounds / 10));
  const cannedRounds = scaled(3000, context.scale);
  const keys = benchKeys([{}, {}, {}]);
  const emulator = await startEmulator({
    logRawKeys: false,
    maxLogEntries: 1000,
    keys: Object.fromEntries(keys.map((key) => [key.secret, {}])),
  });
  const metrics: MetricDef[] = [
    { key: 'addedMedian', label: 'added median ms (emulator)', better: 'lower' },
    { key: 'addedP99', label: 'added p99 ms (emulator)', better: 'lower' },
    { key: 'cpuMedian', label: 'added median ms (no network)', better: 'lower' },
    { key: 'cpuP99', label: 'added p99 ms (no network)', better: 'lower' },
    { key: 'cpuTime', label: 'added CPU ms / call', better: 'lower' },
    { key: 'median', label: 'median ms (emulator)' },
  ];
  const rows: Row[] = [];
  const body = { model: MODEL, messages: [{ role: 'user' as const, content: 'bench' }], max_tokens: 8 };
  const signal = new AbortController().signal;
  const timed = (label: string, runner: Runner): Timed => ({
    label,
    call: async (round) => (await runner.call(round, signal)).ok,
    times: [],
    failures: 0,
  });
  const directEntry = (client: OpenAI): Timed => ({
    label: 'direct',
    call: async () => {
      await client.chat.completions.create(body);
      return true;
    },
    times: [],
    failures: 0,
  });
  try {
    const base: Setup = {
      openaiBaseURL: emulator.baseURLs.openai,
      anthropicBaseURL: emulator.baseURLs.anthropic,
      keys,
      model: MODEL,
      windowMs: 60_000,
      keypoolLimits: 'learned',
      maxWaitMs: 1000,
      trace: false,
      ...(context.gateway === undefined ? {} : { gateway: context.gateway }),
    };
    const overNetwork: Timed[] = [];
    const inProcess: Timed[] = [];
    const problems = new Map<string, string>();
    for (const contender of context.contenders) {
      if (contender.id === 'portkey' && context.gateway === undefined) {
        problems.set(contender.label, `cannot run: ${context.gatewayProblem ?? 'no gateway'}`);
        continue;
      }
      try {
        overNetwork.push(timed(contender.label, await contender.create(base)));
        if (contender.id !== 'portkey') {
          const canned = { ...base, openaiBaseURL: 'http://127.0.0.1:9/openai/v1', fetch: cannedFetch };
          inProcess.push(timed(contender.label, await contender.create(canned)));
        }
      } catch (error) {
        problems.set(contender.label, `failed: ${String(error).slice(0, 160)}`);
      }
    }
    const direct = directEntry(
      new OpenAI({ apiKey: keys[0]!.secret, baseURL: emulator.baseURLs.openai, maxRetries: 0 }),
    );
    await interleave([direct, ...overNetwork], rounds, warmup, 45_000);
    const directCanned = directEntry(
      new OpenAI({
        apiKey: keys[0]!.secret,
        baseURL: 'http://127.0.0.1:9/openai/v1',
        maxRetries: 0,
        fetch: cannedFetch,
      }),
    );
    await interleave([directCanned, ...inProcess], cannedRounds, Math.round(cannedRounds / 10), 20_000);
    const cpuSamples = await cpuPerCall(
      [directCanned, ...inProcess],
      Math.max(5, Math.round(cannedRounds / 100)),
      25,
      20_000,
    );
    const directCpu = median(cpuSamples[0]!);
    for (const contender of context.contenders) {
      const problem = problems.get(contender.label);
      if (problem !== undefined) {
        rows.push({ contender: contender.label, status: 'cannot', reason: problem, values: {} });
        continue;
      }
      const network = overNetwork.find((entry) => entry.label === contender.label);
      const cpuIndex = inProcess.findIndex((entry) => entry.label === contender.label);
      const cpu = inProcess[cpuIndex];
      const cpuTime = cpuIndex < 0 ? undefined : round(median(cpuSamples[cpuIndex + 1]!) - directCpu);
      if (network === undefined) continue;
      const overhead = addedLatency(network.times, direct.times);
      const cpuOverhead = cpu === undefined ? undefined : addedLatency(cpu.times, directCanned.times);
      rows.push({
        contender: contender.label,
        status: 'ran',
        values: {
          addedMedian: overhead.addedMedianMs,
          addedP99: overhead.addedP99Ms,
          cpuMedian: cpuOverhead?.addedMedianMs ?? 'out of process',
          cpuP99: cpuOverhead?.addedP99Ms ?? null,
          cpuTime: cpuTime ?? 'out of process',
          median: overhead.medianMs,
        },
        details: {
          calls: network.times.length,
          failures: network.failures,
          pairedMedianMs: overhead.pairedMedianMs,
          p99Ms: overhead.p99Ms,
          ...(cpu === undefined
            ? {}
            : {
                cannedCalls: cpu.times.length,
                cannedFailures: cpu.failures,
                cannedMedianMs: cpuOverhead?.medianMs,
              }),
        },
      });
      context.log(
        `  ${contender.label}: +${overhead.addedMedianMs} ms median, +${overhead.addedP99Ms} ms p99 over the emulator; ` +
          `+${cpuOverhead?.addedMedianMs ?? '-'} ms median with no network`,
      );
    }
    rows.push({
      contender: 'direct openai SDK (baseline)',
      status: 'ran',
      values: {
        addedMedian: 0,
        addedP99: 0,
        cpuMedian: 0,
        cpuP99: 0,
        cpuTime: 0,
        median: round(median(direct.times)),
      },
      details: {
        calls: direct.times.length,
        p99Ms: round(quantile(direct.times, 0.99)),
        cannedMedianMs: round(median(directCanned.times)),
        cannedP99Ms: round(quantile(directCanned.times, 0.99)),
        cpuMsPerCall: round(directCpu),
      },
    });
  } finally {
    await emulator.close();
  }
  return {
    id: 'healthy',
    title: '1. Healthy keys: latency added over a direct SDK call',
    description: `3 healthy keys, no limits, one call at a time. Over the emulator: ${rounds} rounds after ${warmup} warm-up rounds; each round calls every contender and a direct openai SDK client (maxRetries 0, one key) once, starting from a different one each round. No network: the same with every in-process client given a fetch that answers at once with a canned completion (${cannedRounds} rounds), which leaves only the clients' own cost; and the CPU time this process spends per call (user + system, median of blocks of 25 calls, interleaved), which other processes on a loaded machine do not inflate. Added = contender minus direct, same run.`,
    metrics,
    rows,
  };
}

export async function runScenarios(
  context: ScenarioContext,
  only: readonly string[] | undefined,
  onResult: (result: ScenarioResult) => void,
): Promise<void> {
  const want = (id: string) => only === undefined || only.includes(id);
  if (want('healthy')) {
    context.log('1. healthy keys');
    onResult(await healthyScenario(context));
  }
  const plans = [limitedPlan, recoveryPlan, capacityPlan, revokedPlan, outagePlan].map((plan) =>
    plan(context.scale),
  );
  for (const plan of plans) {
    if (!want(plan.id)) continue;
    context.log(plan.title);
    onResult(await runPlan(plan, context));
  }
}
