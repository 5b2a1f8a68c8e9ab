import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../test/helpers.ts';
import type { EmulatorConfig } from './config.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

const KEY = 'sk-server-test-1111111111';
const started: Emulator[] = [];

async function start(config: EmulatorConfig = {}): Promise<Emulator> {
  const emu = await startEmulator({ windowMs: 1000, keys: { [KEY]: {} }, ...config });
  started.push(emu);
  return emu;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((emu) => emu.close()));
});

function openaiCall(
  emu: Emulator,
  init: { key?: string; model?: string; stream?: boolean; body?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  headers.authorization = `Bearer ${init.key ?? KEY}`;
  return fetch(`${emu.baseURLs.openai}/chat/completions`, {
    method: 'POST',
    headers,
    body:
      init.body ??
      JSON.stringify({
        model: init.model ?? 'gpt-4o',
        stream: init.stream ?? false,
        messages: [{ role: 'user', content: 'hi' }],
      }),
  });
}

describe('startEmulator', () => {
  it('listens on 127.0.0.1 and exposes the four base URLs', async () => {
    const emu = await start();
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.baseURLs).toEqual({
      openai: `${emu.url}/openai/v1`,
      anthropic: `${emu.url}/anthropic`,
      gemini: `${emu.url}/gemini`,
      mistral: `${emu.url}/mistral`,
    });
  });

  it('answers 404 for unknown paths and methods', async () => {
    const emu = await start();
    expect((await fetch(`${emu.url}/openai/v1/assistants`)).status).toBe(404);
    expect((await fetch(`${emu.url}/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${emu.url}/openai/v1/models`, { method: 'DELETE' })).status).toBe(404);
  });

  it('rejects unknown keys unless acceptAnyKey', async () => {
    const strict = await start();
    expect((await openaiCall(strict, { key: 'sk-unknown-000000000000' })).status).toBe(401);
    const open = await start({ acceptAnyKey: true });
    expect((await openaiCall(open, { key: 'sk-anything-at-all-00000' })).status).toBe(200);
  });

  it('answers a missing key with the provider 401 (Gemini: 403) and a bad body with 400', async () => {
    const emu = await start();
    const missing = await fetch(`${emu.baseURLs.openai}/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      "You didn't provide an API key",
    );
    const gemini = await fetch(`${emu.baseURLs.gemini}/v1/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      body: '{"contents":[{"parts":[{"text":"hi"}]}]}',
    });
    expect(gemini.status).toBe(403);
    const bad = await openaiCall(emu, { body: '{not json' });
    expect(bad.status).toBe(400);
    expect(emu.requests.at(-1)).toMatchObject({ status: 400, outcome: 'bad_request' });
    const noMessages = await openaiCall(emu, { body: '{"model":"gpt-4o"}' });
    expect(noMessages.status).toBe(400);
  });

  it('serves many concurrent keep-alive requests', async () => {
    const emu = await start();
    const statuses = await Promise.all(
      Array.from({ length: 64 }, () => openaiCall(emu).then((r) => r.status)),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(emu.requests).toHaveLength(64);
    expect(new Set(emu.requests.map((entry) => entry.seq)).size).toBe(64);
  });

  it('faultRate is deterministic for a seed', async () => {
    const pattern = async (): Promise<number[]> => {
      const emu = await start({ seed: 42, keys: { [KEY]: { faultRate: 0.5 } } });
      const statuses: number[] = [];
      for (let index = 0; index < 12; index++) statuses.push((await openaiCall(emu)).status);
      return statuses;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('logs resets and unanswered requests with status 0', async () => {
    const emu = await start({
      models: { reset: { resetBeforeHeaders: true }, hang: { noResponse: true } },
    });
    await openaiCall(emu, { model: 'reset' }).catch(() => undefined);
    const hung = openaiCall(emu, { model: 'hang' }).catch(() => undefined);
    await waitUntil(() => emu.requests.length === 2);
    expect(emu.requests.map((entry) => [entry.model, entry.status, entry.outcome])).toEqual([
      ['reset', 0, 'reset'],
      ['hang', 0, 'no_response'],
    ]);
    await emu.close();
    await hung;
  });
});

describe('reset()', () => {
  it('clears the log, the windows, call counts and one-shot states', async () => {
    const emu = await start({
      keys: { [KEY]: { rpm: 1 }, 'sk-revoke-22222222222222': { revokeAfter: 1 } },
      models: { once: { serverErrorOnce: true } },
    });
    expect((await openaiCall(emu)).status).toBe(200);
    expect((await openaiCall(emu)).status).toBe(429);
    expect((await openaiCall(emu, { key: 'sk-revoke-22222222222222' })).status).toBe(200);
    expect((await openaiCall(emu, { key: 'sk-revoke-22222222222222' })).status).toBe(401);
    expect((await openaiCall(emu, { model: 'once', key: 'sk-revoke-22222222222222' })).status).toBe(401);
    emu.reset();
    expect(emu.requests).toHaveLength(0);
    expect((await openaiCall(emu)).status).toBe(200);
    expect((await openaiCall(emu, { key: 'sk-revoke-22222222222222', model: 'once' })).status).toBe(500);
    expect(emu.requests.map((entry) => entry.outcome)).toEqual(['ok', 'server_error']);
  });

  it('setKeyBehaviour changes a live key; addKey adds one', async () => {
    const emu = await start();
    emu.setKeyBehaviour(KEY, { invalid: true });
    expect((await openaiCall(emu)).status).toBe(401);
    emu.setKeyBehaviour(KEY, {});
    expect((await openaiCall(emu)).status).toBe(200);
    emu.addKey('sk-added-333333333333333');
    expect((await openaiCall(emu, { key: 'sk-added-333333333333333' })).status).toBe(200);
  });
});

describe('close()', () => {
  it('closes hung requests, stalled streams and idle keep-alive sockets promptly', async () => {
    const emu = await start({
      models: { hang: { noResponse: true }, stall: { streamStallAfterChunks: 1 } },
    });
    await openaiCall(emu);
    const hung = openaiCall(emu, { model: 'hang' }).then(
      () => 'answered',
      () => 'closed',
    );
    const stalled = await openaiCall(emu, { model: 'stall', stream: true });
    const reading = stalled.text().then(
      () => 'ended',
      () => 'closed',
    );
    await waitUntil(() => emu.requests.length === 3);
    const before = performance.now();
    await emu.close();
    expect(performance.now() - before).toBeLessThan(500);
    expect(await hung).toBe('closed');
    expect(await reading).toBe('closed');
    await emu.close();
  });

  it('honours a finite stall and key latency but cuts them short on close', async () => {
    const emu = await start({ keys: { [KEY]: { latencyMs: 10_000 } } });
    const pending = openaiCall(emu).then(
      () => 'answered',
      () => 'closed',
    );
    await waitUntil(() => emu.requests.length === 1);
    const before = performance.now();
    await emu.close();
    expect(performance.now() - before).toBeLessThan(500);
    expect(await pending).toBe('closed');
  });
});
