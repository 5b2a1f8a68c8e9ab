import Anthropic from '@anthropic-ai/sdk';
import { Mistral } from '@mistralai/mistralai';
import { ResponseValidationError } from '@mistralai/mistralai/models/errors';
import OpenAI, { APIConnectionError, type APIError, InternalServerError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { behaviourSetters, rejectionOf, sleep } from '../test/helpers.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

// Fault patterns as providers really play them, checked with the real SDKs: flapping models, silent connections
// that end in a hang-up, structured output the SDK cannot parse, answers that fail the SDK's response validation.

let emu: Emulator;
const GOOD = 'sk-faults-good-000000000000';

beforeAll(async () => {
  emu = await startEmulator({ keys: { [GOOD]: {} } });
});
afterAll(() => emu.close());

const { modelWith } = behaviourSetters(() => emu, 'flt');
const messages = [{ role: 'user' as const, content: 'hello there world' }];
const openai = new OpenAI({ apiKey: GOOD, baseURL: '', maxRetries: 0 });

function client(options: { timeout?: number } = {}): OpenAI {
  return openai.withOptions({ baseURL: emu.baseURLs.openai, ...options });
}

function statusOf(model: string) {
  return client()
    .chat.completions.create({ model, messages })
    .then(
      () => 200,
      (error: unknown) => (error as APIError).status ?? 0,
    );
}

describe('outage', () => {
  it("kind 'server_error': 500 for downMs, then healthy", async () => {
    const model = modelWith({ outage: { downMs: 150, kind: 'server_error' } });
    const error = await rejectionOf(client().chat.completions.create({ model, messages }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(500);
    await sleep(170);
    expect(await statusOf(model)).toBe(200);
  });

  it('anthropic: overloaded outage is 529 overloaded_error', async () => {
    const model = modelWith({ outage: { downMs: 150, from: 'set' } });
    const anthropic = new Anthropic({ apiKey: GOOD, baseURL: emu.baseURLs.anthropic, maxRetries: 0 });
    const error = (await rejectionOf(
      anthropic.messages.create({ model, max_tokens: 32, messages }),
    )) as InstanceType<typeof Anthropic.APIError>;
    expect(error.status).toBe(529);
    expect(JSON.stringify(error.error)).toContain('overloaded_error');
  });

  it('upMs: flaps down, up, down again on a fixed cycle', async () => {
    const model = modelWith({ outage: { downMs: 200, upMs: 200, from: 'set' } });
    const armedAt = Date.now();
    const seen: number[] = [];
    for (const at of [60, 260, 460, 660]) {
      await sleep(Math.max(0, armedAt + at - Date.now()));
      seen.push(await statusOf(model));
    }
    expect(seen).toEqual([503, 200, 503, 200]);
  });

  it('setModelBehaviour re-arms an outage that has ended', async () => {
    const model = modelWith({ outage: { downMs: 100 } });
    expect(await statusOf(model)).toBe(503);
    await sleep(120);
    expect(await statusOf(model)).toBe(200);
    emu.setModelBehaviour(model, { outage: { downMs: 100 } });
    expect(await statusOf(model)).toBe(503);
  });
});

describe('hangUpAfterMs', () => {
  it('accepts, stays silent, then closes the socket: APIConnectionError after the silence', async () => {
    const model = modelWith({ hangUpAfterMs: 300 });
    const started = Date.now();
    const error = await rejectionOf(client({ timeout: 5000 }).chat.completions.create({ model, messages }));
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(2000);
    expect(emu.requests.find((entry) => entry.model === model)).toMatchObject({
      status: 0,
      outcome: 'hang_up',
    });
  });
});

const Weather = z.object({ city: z.string(), celsius: z.number(), sunny: z.boolean() });

describe('structured output (openai parse)', () => {
  it('a healthy model answers JSON that fits the schema', async () => {
    const completion = await client().chat.completions.parse({
      model: 'gpt-4o',
      messages,
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    expect(completion.choices[0]?.message.parsed).toEqual({
      city: 'Echo: hello there world',
      celsius: 1,
      sunny: true,
    });
  });

  it("'malformed_json': parse() throws a SyntaxError, with or without a zod schema", async () => {
    const model = modelWith({ invalidStructuredOutput: 'malformed_json' });
    const withZod = await rejectionOf(
      client().chat.completions.parse({
        model,
        messages,
        response_format: zodResponseFormat(Weather, 'weather'),
      }),
    );
    expect(withZod).toBeInstanceOf(SyntaxError);
    const plain = await rejectionOf(
      client().chat.completions.parse({
        model,
        messages,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'weather', schema: { type: 'object' } },
        },
      }),
    );
    expect(plain).toBeInstanceOf(SyntaxError);
    expect(emu.requests.filter((entry) => entry.model === model).map((entry) => entry.status)).toEqual([
      200, 200,
    ]);
  });

  it("'schema_mismatch': valid JSON that fails the zod schema (ZodError)", async () => {
    const model = modelWith({ invalidStructuredOutput: 'schema_mismatch' });
    const error = await rejectionOf(
      client().chat.completions.parse({
        model,
        messages,
        response_format: zodResponseFormat(Weather, 'weather'),
      }),
    );
    expect(error).toBeInstanceOf(z.ZodError);
  });
});

describe('structured output and response validation (mistral)', () => {
  const mistral = () => new Mistral({ apiKey: GOOD, serverURL: emu.baseURLs.mistral });

  it('chat.parse() gets JSON that fits the schema', async () => {
    const response = await mistral().chat.parse({
      model: 'mistral-small-latest',
      messages,
      responseFormat: Weather,
    });
    expect(response.choices?.[0]?.message?.parsed).toEqual({
      city: 'Echo: hello there world',
      celsius: 1,
      sunny: true,
    });
  });

  it('invalidResponseBody: a 200 that fails the SDK validation (ResponseValidationError)', async () => {
    const model = modelWith({ invalidResponseBody: true });
    const error = await rejectionOf(mistral().chat.complete({ model, messages }));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(emu.requests.find((entry) => entry.model === model)).toMatchObject({ status: 200, outcome: 'ok' });
  });

  it('invalidResponseBody: OpenAI does not validate, so the same answer is accepted', async () => {
    const model = modelWith({ invalidResponseBody: true });
    const completion = await client().chat.completions.create({ model, messages });
    expect(completion.choices[0]?.message.content).toBe('Echo: hello there world');
  });
});
