import { readFileSync } from 'node:fs';
import { startEmulator } from '@keypool/emulator';
import { afterEach, expect, it } from 'vitest';
import { createAzureOpenAIPool } from '../src/index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const SECRET = 'azreadme0123456789abcdef01234567';
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

// The README's Azure example, as written there, run against the emulator through the variables it reads.
it('runs the README Azure OpenAI example', async () => {
  const emulator = await startEmulator({ keys: { [SECRET]: {} } });
  try {
    process.env.AZURE_OPENAI_API_KEY = SECRET;
    process.env.AZURE_OPENAI_ENDPOINT = emulator.azureOpenAIEndpoint;
    process.env.OPENAI_API_VERSION = '2024-10-21';
    // --- README example start
    // Keys from AZURE_OPENAI_API_KEY (and _2..N, AZURE_OPENAI_API_KEYS); endpoint from AZURE_OPENAI_ENDPOINT
    // (https://<resource>.openai.azure.com); api-version from OPENAI_API_VERSION. Each can be passed as an option too.
    const azure = createAzureOpenAIPool({ deployment: 'gpt-4o-prod' });
    const completion = await azure.client.chat.completions.create({
      model: 'gpt-4o', // the deployment decides; without `deployment`, the model names it
      messages: [{ role: 'user', content: 'Hi' }],
    });
    // --- README example end
    expect(completion.choices[0]?.message.content).toBe('Echo: Hi');
    expect(emulator.requestsFor(SECRET)[0]).toMatchObject({
      provider: 'azure-openai',
      path: '/azure/openai/deployments/gpt-4o-prod/chat/completions',
    });
    expect(azure.snapshot()[0]?.id).toBe('env:AZURE_OPENAI_API_KEY');
  } finally {
    await emulator.close();
  }
});

it('is the README block, word for word', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const body = /\/\/ --- README example start\n([\s\S]*?)\n\s*\/\/ --- README example end/.exec(source)![1]!;
  const lines = body.replace(/^ {4}/gm, '');
  expect(readme).toContain(
    `\`\`\`ts\nimport { createAzureOpenAIPool } from '@keypool/openai';\n\n${lines}\n\`\`\``,
  );
});
