import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from './run-keypool';

describe('keypool emulator', () => {
  it('serves the four providers in the foreground and shuts down cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const ready = new Promise<{ url: string; baseURLs: Record<string, string> }>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const line = stdout.split('\n')[0];
          if (stdout.includes('\n') && line) resolve(JSON.parse(line));
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const { baseURLs } = await ready;
      expect(Object.keys(baseURLs).sort()).toEqual(['anthropic', 'gemini', 'mistral', 'openai']);
      const response = await fetch(`${baseURLs.openai}/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk-any-key-accepted-without-config',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] }),
      });
      expect(response.status).toBe(200);
      expect(
        ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message
          .content,
      ).toBe('Echo: ping');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
