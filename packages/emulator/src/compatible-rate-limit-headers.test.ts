import { readFileSync } from 'node:fs';
import OpenAI, { RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshKey, rejectionOf } from '../test/helpers.ts';
import { compatibleRateLimitHeaders } from './compatible-rate-limit-headers.ts';
import type { KeyBehaviour } from './config.ts';
import { parseEmulatorConfig } from './config.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const snapshot = {
  requests: { limit: 30, remaining: 29, resetMs: 1_500 },
  tokens: { limit: 60_000, remaining: 59_000, resetMs: 11_382 },
  day: { limit: 14_400, remaining: 14_399, resetMs: 33_011_382 },
  queryCost: 40,
};

describe('compatibleRateLimitHeaders', () => {
  it('groq: OpenAI names, requests per day and tokens per minute as Go durations', () => {
    expect(compatibleRateLimitHeaders({ ...snapshot, dialect: 'groq' }, NOW)).toEqual({
      'x-ratelimit-limit-requests': '14400',
      'x-ratelimit-remaining-requests': '14399',
      'x-ratelimit-reset-requests': '9h10m11.382s',
      'x-ratelimit-limit-tokens': '60000',
      'x-ratelimit-remaining-tokens': '59000',
      'x-ratelimit-reset-tokens': '11.382s',
    });
  });

  it('cerebras: -requests-day and -tokens-minute, resets in seconds', () => {
    expect(compatibleRateLimitHeaders({ ...snapshot, dialect: 'cerebras' }, NOW)).toEqual({
      'x-ratelimit-limit-requests-day': '14400',
      'x-ratelimit-remaining-requests-day': '14399',
      'x-ratelimit-reset-requests-day': '33011.382',
      'x-ratelimit-limit-tokens-minute': '60000',
      'x-ratelimit-remaining-tokens-minute': '59000',
      'x-ratelimit-reset-tokens-minute': '11.382',
    });
  });

  it('openrouter: the day budget (else the minute one), reset as a Unix time in ms', () => {
    expect(compatibleRateLimitHeaders({ ...snapshot, dialect: 'openrouter' }, NOW)).toEqual({
      'X-RateLimit-Limit': '14400',
      'X-RateLimit-Remaining': '14399',
      'X-RateLimit-Reset': String(NOW + 33_011_382),
    });
    const { day: _day, ...minuteOnly } = snapshot;
    expect(compatibleRateLimitHeaders({ ...minuteOnly, dialect: 'openrouter' }, NOW)).toMatchObject({
      'X-RateLimit-Limit': '30',
      'X-RateLimit-Reset': String(NOW + 1_500),
    });
  });

  it('together: unsuffixed request names with seconds, x-tokenlimit-* for tokens', () => {
    expect(compatibleRateLimitHeaders({ ...snapshot, dialect: 'together' }, NOW)).toEqual({
      'x-ratelimit-limit': '30',
      'x-ratelimit-remaining': '29',
      'x-ratelimit-reset': '1.500',
      'x-tokenlimit-limit': '60000',
      'x-tokenlimit-remaining': '59000',
    });
  });

  it('garbled: the same names, with values that are no count and no reset', () => {
    const headers = compatibleRateLimitHeaders({ ...snapshot, dialect: 'cerebras', garbled: true }, NOW);
    expect(headers['x-ratelimit-remaining-requests-day']).toBe('-1');
    expect(headers['x-ratelimit-limit-tokens-minute']).toBe('unlimited');
    expect(headers['x-ratelimit-reset-tokens-minute']).toBe('tomorrow');
    const openai = compatibleRateLimitHeaders({ ...snapshot, garbled: true }, NOW);
    expect(openai['x-ratelimit-remaining-requests']).toBe('-1');
  });

  it('is rejected in a config when the dialect is unknown', () => {
    expect(() => parseEmulatorConfig({ keys: { k: { rateLimitDialect: 'mistral' } } })).toThrow(
      /rateLimitDialect.*must be one of openai, groq, cerebras, openrouter, together/,
    );
  });
});

describe('the OpenAI route sends the key dialect', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ windowMs: 60_000, dayMs: 86_400_000 });
  });
  afterAll(() => emulator.close());

  function keyWith(behaviour: KeyBehaviour): string {
    const secret = freshKey('dialect');
    emulator.addKey(secret, behaviour);
    return secret;
  }

  async function ask(secret: string) {
    const client = new OpenAI({ apiKey: secret, baseURL: emulator.baseURLs.openai, maxRetries: 0 });
    return client.chat.completions
      .create({ model: 'llama3.1-8b', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
  }

  it('cerebras: the day budget counts down over HTTP', async () => {
    const secret = keyWith({ rpd: 3, tpm: 10_000, rateLimitDialect: 'cerebras' });
    const { response } = await ask(secret);
    expect(response.headers.get('x-ratelimit-limit-requests-day')).toBe('3');
    expect(response.headers.get('x-ratelimit-remaining-requests-day')).toBe('2');
    expect(Number(response.headers.get('x-ratelimit-reset-requests-day'))).toBeGreaterThan(86_000);
    expect(response.headers.get('x-ratelimit-limit-tokens-minute')).toBe('10000');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('openrouter: a spent day answers 429 with the headers copied into the body, without retry-after-ms', async () => {
    const secret = keyWith({ rpd: 1, rateLimitDialect: 'openrouter' });
    await ask(secret);
    const error = await rejectionOf(ask(secret));
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect(limited.headers?.get('retry-after')).not.toBeNull();
    expect(limited.headers?.get('retry-after-ms')).toBeNull();
    const metadata = (limited.error as { metadata?: { headers?: Record<string, string> } }).metadata;
    expect(metadata?.headers?.['X-RateLimit-Limit']).toBe('1');
    expect(metadata?.headers?.['X-RateLimit-Remaining']).toBe('0');
    const reset = Number(metadata?.headers?.['X-RateLimit-Reset']);
    expect(reset).toBeGreaterThan(Date.now() + 86_000_000);
    expect(limited.headers?.get('x-ratelimit-reset')).toBe(String(reset));
  });
});

describe('the README example', () => {
  it('runs as written, and is the README block word for word', async () => {
    // --- README example start
    const emulator = await startEmulator({
      keys: { 'csk-day': { rpd: 1, tpm: 60_000, rateLimitDialect: 'cerebras' } },
    });
    const answer = await fetch(`${emulator.baseURLs.openai}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer csk-day', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama3.1-8b', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const left = answer.headers.get('x-ratelimit-remaining-requests-day'); // '0': the day is spent
    await emulator.close();
    // --- README example end
    expect(answer.status).toBe(200);
    expect(left).toBe('0');
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const body = /\/\/ --- README example start\n([\s\S]*?)\n\s*\/\/ --- README example end/.exec(
      source,
    )![1]!;
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      `\`\`\`ts\nimport { startEmulator } from '@keypool/emulator';\n\n${body.replace(/^ {4}/gm, '')}\n\`\`\``,
    );
  });
});
