import { readFileSync } from 'node:fs';
import { startEmulator } from '@keypool/emulator';
import { afterEach, expect, it } from 'vitest';
import { createOpenAICompatiblePool } from '../src/index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const SECRET = 'gsk_readme-0123456789abcdefgh';

afterEach(() => {
  delete process.env.GROQ_API_KEY;
  delete process.env.GROQ_BASE_URL;
});

// The README's example, as written there, run against the emulator through the variables it reads.
it('runs the README OpenAI-compatible example', async () => {
  const emulator = await startEmulator({ acceptAnyKey: true });
  try {
    process.env.GROQ_API_KEY = SECRET;
    process.env.GROQ_BASE_URL = emulator.baseURLs.openai;
    const labels: string[] = [];
    // --- README example start
    // Keys from GROQ_API_KEY, GROQ_API_KEY_2..N and GROQ_API_KEYS=k1,k2 (or pass `keys` as for createOpenAIPool).
    const groq = createOpenAICompatiblePool('groq', {
      clientOptions: { baseURL: process.env.GROQ_BASE_URL }, // unset: the preset's https://api.groq.com/openai/v1
    });
    groq.on('key.selected', (event) => labels.push(`${event.provider}:${event.keyId}`));
    const completion = await groq.client.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    // --- README example end
    expect(completion.choices[0]?.message.content).toContain('Hi');
    expect(labels).toEqual(['groq:env:GROQ_API_KEY']);
  } finally {
    await emulator.close();
  }
});

it('is the README block, word for word (apart from the test-only listener)', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const body = /\/\/ --- README example start\n([\s\S]*?)\n\s*\/\/ --- README example end/.exec(source)![1]!;
  const lines = body
    .replace(/^ {4}/gm, '')
    .split('\n')
    .filter((line) => !line.startsWith('groq.on('));
  expect(readme).toContain(
    `\`\`\`ts\nimport { createOpenAICompatiblePool } from '@keypool/openai';\n\n${lines.join('\n')}\n\`\`\``,
  );
});
