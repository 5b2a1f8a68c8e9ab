import { readFileSync } from 'node:fs';
import { firstHeader } from '@keypool/core';
import { startEmulator } from '@keypool/emulator';
import { afterEach, expect, it } from 'vitest';
import { createOpenAICompatiblePool, OPENAI_COMPATIBLE_PRESETS } from '../src/index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const SECRET = 'acme_readme-0123456789abcdefgh';

afterEach(() => {
  delete process.env.ACME_API_KEY;
  delete process.env.ACME_BASE_URL;
});

// The README's custom-parser example, as written there, against an emulator key that sends Together-style headers.
it('runs the README custom rate-limit parser example', async () => {
  const emulator = await startEmulator();
  try {
    emulator.addKey(SECRET, { rpm: 100, rateLimitDialect: 'together' });
    process.env.ACME_API_KEY = SECRET;
    process.env.ACME_BASE_URL = emulator.baseURLs.openai;
    // --- README example start
    // Keys from ACME_API_KEY (and its _2..N and S forms).
    const acme = createOpenAICompatiblePool({
      provider: 'acme',
      baseURL: process.env.ACME_BASE_URL ?? 'https://api.acme.example/v1',
      envVars: ['ACME_API_KEY'],
      // Acme sends `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds); an answer without them teaches nothing.
      rateLimitHeaders: (headers, now) => {
        const left = firstHeader(headers, 'x-ratelimit-remaining');
        const reset = Number(firstHeader(headers, 'x-ratelimit-reset') ?? 60);
        return left === null
          ? undefined
          : { requests: { remaining: Number(left), resetAt: now + reset * 1000 } };
      },
    });
    await acme.client.chat.completions.create({
      model: 'acme-large',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const learned = acme.snapshot()[0]?.scopes?.[0]?.learned; // { requests: { remaining: 99, resetAt: ... } }
    // --- README example end
    expect(learned?.requests?.remaining).toBe(99);
    expect((learned?.requests?.resetAt ?? 0) - Date.now()).toBeGreaterThan(50_000);
    expect(emulator.requestsFor(SECRET)).toHaveLength(1);
  } finally {
    await emulator.close();
  }
});

it('is the README block, word for word', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const body = /\/\/ --- README example start\n([\s\S]*?)\n\s*\/\/ --- README example end/.exec(source)![1]!;
  expect(readme).toContain(
    `\`\`\`ts\nimport { firstHeader } from '@keypool/core';\nimport { createOpenAICompatiblePool } from '@keypool/openai';\n\n${body.replace(/^ {4}/gm, '')}\n\`\`\``,
  );
});

it("the README's presets table names each preset's base URL, variables and dialect as the code has them", () => {
  for (const [name, preset] of Object.entries(OPENAI_COMPATIBLE_PRESETS)) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    expect(row, name).toBeDefined();
    const cells = row!.split('|').map((cell) => cell.trim());
    expect(cells[2]).toBe(`\`${preset.baseURL}\``);
    expect(cells[3]).toBe(preset.envVars.map((variable) => `\`${variable}\``).join(', '));
    const dialect = 'rateLimitHeaders' in preset ? preset.rateLimitHeaders : 'openai';
    expect(cells[4]).toMatch(new RegExp(`\\(\`${dialect}\`(, reads nothing)?\\)$`));
  }
});
