import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMistralPool } from './mistral-pool';

// A native stream continued on another key (nativeStreams) keeps one deadline for the whole call: a continuation that
// would finish after it is cut at the deadline, not given a fresh deadline of its own.

const KEYS = ['mistral-deadline-a-dddddddddddddddd', 'mistral-deadline-b-dddddddddddddddd'];
const DEADLINE_MS = 1_400;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

describe('@keypool/mistral: a continued native stream within one deadline', () => {
  it('a continuation whose first chunk would come after the deadline is cut at the deadline', async () => {
    // Every answer's text starts 400 ms after its first event; the first stream stalls after two chunks (the 700 ms
    // idle timeout breaks it at about 1,100 ms), so its continuation's text would start at about 1,500 ms, past the
    // 1,400 ms deadline.
    emu.setModelBehaviour('mistral-slow-start', {
      firstTokenDelayMs: 400,
      streamStallAfterChunks: 2,
      streamFaultTimes: 1,
    });
    const pool = createMistralPool({
      keys: KEYS.map((secret, index) => ({ id: `key-${index}`, secret })),
      strategy: 'round-robin',
      clientOptions: { serverURL: emu.baseURLs.mistral },
      deadlineMs: DEADLINE_MS,
      streamIdleTimeoutMs: 700,
      nativeStreams: { onInterrupt: 'continue' },
    });
    const started = Date.now();
    let text = '';
    const outcome = await (async () => {
      const stream = await pool.client.chat.stream({
        model: 'mistral-slow-start',
        messages: [{ role: 'user', content: 'the cat saw the cat and the cat sat on the mat near the cat' }],
      });
      for await (const event of stream) {
        const delta = event.data.choices[0]?.delta.content;
        if (typeof delta === 'string') text += delta;
      }
      return 'completed';
    })().catch((error: unknown) => error);
    const elapsed = Date.now() - started;
    // With a fresh deadline the continuation would have completed the answer at about 1,600 ms.
    expect(outcome).toBeInstanceOf(Error);
    expect(text.length).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 300);
    expect(
      emu.requests.filter((entry) => entry.model === 'mistral-slow-start').length,
    ).toBeGreaterThanOrEqual(2);
  });
});
