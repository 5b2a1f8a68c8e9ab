/** Scenario 1: healthy keys. What Keypool adds to a call, against the emulator and against a canned fetch. */
import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import type { Runner, Setup } from './contenders.ts';
import type { MetricDef, Row, ScenarioResult } from './report.ts';
import { benchKeys, MODEL, type ScenarioContext, scaled } from './scenario-kit.ts';
import { addedLatency, median, quantile, round } from './stats.ts';

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
