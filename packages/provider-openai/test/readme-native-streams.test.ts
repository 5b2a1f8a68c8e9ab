import { readFileSync } from 'node:fs';
import { nativeRestartOf } from '@keypool/core';
import { startEmulator } from '@keypool/emulator';
import { afterEach, expect, it } from 'vitest';
import { createOpenAIPool } from '../src/index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const KEYS = ['sk-readme-native-one-0000000000001', 'sk-readme-native-two-0000000000002'];
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

// The README's native-stream example, as written there, against the emulator with its first stream cut.
it('runs the README nativeStreams example and prints its transcript', async () => {
  const emulator = await startEmulator({ keys: { [KEYS[0]!]: {}, [KEYS[1]!]: {} } });
  emulator.setModelBehaviour('gpt-4o-mini', { streamCutAfterChunks: 3, streamFaultTimes: 1 });
  const lines: string[] = [];
  const console = { log: (line: string) => lines.push(line) };
  try {
    process.env.OPENAI_API_KEY_1 = KEYS[0];
    process.env.OPENAI_API_KEY_2 = KEYS[1];
    process.env.OPENAI_BASE_URL = emulator.baseURLs.openai;
    // --- README example start
    const pool = createOpenAIPool({
      keys: [
        { id: 'one', secret: process.env.OPENAI_API_KEY_1 ?? '' },
        { id: 'two', secret: process.env.OPENAI_API_KEY_2 ?? '' },
      ],
      clientOptions: { baseURL: process.env.OPENAI_BASE_URL },
      strategy: 'round-robin',
      nativeStreams: { onInterrupt: 'continue' },
    });
    pool.on('stream.interrupted', (event) => console.log(`cut on ${event.keyId} after ${event.chars} chars`));
    pool.on('stream.continued', (event) => console.log(`continued on ${event.toKeyId} (${event.how})`));

    const stream = await pool.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'the cat saw the cat and the cat sat on the mat' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) {
      if (nativeRestartOf(chunk)) text = '';
      text += chunk.choices[0]?.delta.content ?? '';
    }
    console.log(text);
    // --- README example end
    const section = readme.slice(readme.indexOf('## Native streams that survive a cut'));
    const transcript = /```text\n([\s\S]*?)```/.exec(section)?.[1]?.trim().split('\n');
    expect(lines).toEqual(transcript);
    expect(text).toBe('Echo: the cat saw the cat and the cat sat on the mat');
    // The continuation really was a second request, on the other key.
    const streams = emulator.requests.filter((entry) => entry.model === 'gpt-4o-mini' && entry.stream);
    expect(streams.map((entry) => entry.keyMasked)).toEqual([
      emulator.requestsFor(KEYS[0]!)[0]?.keyMasked,
      emulator.requestsFor(KEYS[1]!)[0]?.keyMasked,
    ]);
  } finally {
    await emulator.close();
  }
});

it('is the README block, word for word', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const body = /\/\/ --- README example start\n([\s\S]*?)\n\s*\/\/ --- README example end/.exec(source)![1]!;
  const lines = body.replace(/^ {4}/gm, '');
  expect(readme).toContain(
    `\`\`\`ts\nimport { nativeRestartOf } from '@keypool/core';\nimport { createOpenAIPool } from '@keypool/openai';\n\n${lines}\n\`\`\``,
  );
});
