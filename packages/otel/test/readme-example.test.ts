import { readFileSync } from 'node:fs';
import { readmeExampleParts } from '@keypool/core/testing';
import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { instrumentPool } from '@keypool/otel';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  trace.disable();
});

it('runs the README example as written, with an SDK registered globally', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const { missingImports, body, region } = readmeExampleParts(block, self);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const emulator = await startEmulator({ acceptAnyKey: true });
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  process.env.OPENAI_API_KEY = 'sk-otel-readme-0123456789abcdef';
  process.env.OPENAI_BASE_URL = emulator.baseURLs.openai;
  try {
    // --- README example start
    const pool = createOpenAIPool({ keys: [{ id: 'main', secret: process.env.OPENAI_API_KEY ?? '' }] });
    const stopTracing = instrumentPool(pool); // uses the SDK the app registered; a no-op without one
    const answer = await pool.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello!' }] });
    stopTracing();
    // --- README example end
    expect(answer.text).toBe('Echo: Hello!');
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['attempt 1', 'chat gpt-4o']);
    await pool.close();
  } finally {
    await emulator.close();
  }
});
