import { startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createOpenAIPool } from '@keypool/openai';
import {
  AggregationTemporality,
  type HistogramMetricData,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentChain, instrumentPool } from '../src/index';

const BAD = 'sk-otel-revoked-0123456789abcdefBAD';
const GOOD = 'sk-otel-good-0123456789abcdefGOOD';
const LIMITED = 'sk-otel-limited-0123456789abcdefLIM';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [BAD]: { invalid: true }, [GOOD]: {}, [LIMITED]: { quotaExhausted: true } },
    acceptAnyKey: true,
  });
});
afterAll(async () => {
  await emulator.close();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});
beforeEach(() => {
  spans.reset();
});

function poolOf(keys: { id: string; secret: string }[]) {
  return createOpenAIPool({
    keys,
    strategy: 'round-robin',
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
}

async function collected(): Promise<MetricData[]> {
  await reader.forceFlush();
  const last = metricExporter.getMetrics().at(-1);
  return last?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
}

describe('instrumentPool', () => {
  it('gives a failover call one GenAI span with a child span per attempt, and metrics for each', async () => {
    const pool = poolOf([
      { id: 'revoked', secret: BAD },
      { id: 'spent', secret: LIMITED },
      { id: 'good', secret: GOOD },
    ]);
    const undo = instrumentPool(pool, { tracerProvider, meterProvider });
    const result = await pool.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] });
    expect(result.keyId).toBe('good');

    const finished = spans.getFinishedSpans();
    const call = finished.find((span) => span.name === 'chat gpt-4o');
    expect(call).toBeDefined();
    expect(call?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o',
      'keypool.key.id': 'good',
      'keypool.attempts': 3,
    });
    expect(call?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(call?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    const attempts = finished
      .filter((span) => span.parentSpanContext?.spanId === call?.spanContext().spanId)
      .sort((a, b) => Number(a.attributes['keypool.attempt']) - Number(b.attributes['keypool.attempt']));
    expect(
      attempts.map((span) => [
        span.attributes['keypool.key.id'],
        span.attributes['keypool.outcome'],
        span.attributes['keypool.error.category'] ?? null,
      ]),
    ).toEqual([
      ['revoked', 'failure', 'auth'],
      ['spent', 'failure', 'quota_exhausted'],
      ['good', 'success', null],
    ]);
    expect(attempts[0]?.status.code).toBe(2); // ERROR
    expect(attempts[0]?.attributes['keypool.key.masked']).toMatch(/^sk-/);
    expect(JSON.stringify(finished.map((span) => span.attributes))).not.toContain(BAD);

    const data = await collected();
    const metric = (name: string) => data.find((entry) => entry.descriptor.name === name);
    const points = (name: string) => metric(name)?.dataPoints ?? [];
    expect(
      points('keypool.requests').map((point) => [point.attributes['keypool.key.id'], point.value]),
    ).toEqual([['good', 1]]);
    expect(
      points('keypool.failures')
        .map((point) => [
          point.attributes['keypool.key.id'],
          point.attributes['keypool.error.category'],
          point.value,
        ])
        .sort(),
    ).toEqual([
      ['revoked', 'auth', 1],
      ['spent', 'quota_exhausted', 1],
    ]);
    expect(points('keypool.rate_limits').map((point) => point.attributes['keypool.key.id'])).toEqual([
      'spent',
    ]);
    expect(points('keypool.cooldowns').map((point) => point.attributes['keypool.error.category'])).toEqual([
      'quota_exhausted',
    ]);
    const duration = metric('gen_ai.client.operation.duration') as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints[0]?.value.count).toBe(1);
    const usage = (metric('gen_ai.client.token.usage') as HistogramMetricData).dataPoints;
    expect(usage.map((point) => point.attributes['gen_ai.token.type']).sort()).toEqual(['input', 'output']);

    undo();
    spans.reset();
    await pool.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] });
    expect(spans.getFinishedSpans()).toEqual([]);
    await pool.close();
  });

  it('traces the drop-in client’s native calls and streams too', async () => {
    const pool = poolOf([
      { id: 'revoked', secret: BAD },
      { id: 'good', secret: GOOD },
    ]);
    const undo = instrumentPool(pool, { tracerProvider, meterProvider });
    await pool.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'native' }],
    });
    let text = '';
    for await (const event of pool.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'streamed words' }],
    }))
      if (event.type === 'delta') text += event.text;
    expect(text).toContain('streamed words');
    const names = spans.getFinishedSpans().map((span) => span.name);
    expect(names).toContain('keypool openai');
    expect(names).toContain('chat gpt-4o');
    const stream = spans.getFinishedSpans().find((span) => span.name === 'chat gpt-4o');
    expect(stream?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(() => instrumentPool(pool)).toThrow(/instrumented already/);
    undo();
    await pool.close();
  });
});

describe('instrumentChain', () => {
  it('records each step’s attempts with the fallback step on the chain’s span', async () => {
    const first = poolOf([{ id: 'revoked', secret: BAD }]);
    const second = poolOf([{ id: 'good', secret: GOOD }]);
    const chain = createFallbackChain([
      { pool: first, model: 'gpt-4o' },
      { pool: second, model: 'gpt-4o-mini' },
    ]);
    const undo = instrumentChain(chain, { tracerProvider });
    const answer = await chain.chat({ model: '', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.served.index).toBe(1);
    const span = spans.getFinishedSpans().find((entry) => entry.name === 'chain chat');
    expect(span?.attributes).toMatchObject({ 'keypool.fallback.step': 1, 'keypool.fallback.steps': 2 });
    expect(
      span?.events.map((event) => [
        event.attributes?.['keypool.fallback.step'],
        event.attributes?.['keypool.outcome'],
      ]),
    ).toEqual([
      [0, 'failure'],
      [1, 'success'],
    ]);
    undo();
    await first.close();
    await second.close();
  });
});
