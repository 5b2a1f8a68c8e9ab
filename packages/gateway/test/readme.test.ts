import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import { envSource } from '@keypool/keystore';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  createGatewayPools,
  hashVirtualKey,
  loadGatewayFile,
  parseGatewayConfig,
  serveGateway,
  startGateway,
} from '../src/index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function block(language: string, after = ''): string {
  const from = readme.indexOf(after);
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(from));
  if (from < 0 || !match) throw new Error(`no ${language} block in the README after "${after}"`);
  return match[1]!;
}

/** Lines without their indentation, blank lines dropped: how the test's copy is compared with the README's. */
function normalised(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('import '));
}

describe('the README', () => {
  it('runs the code example as written (the copy below must match the README)', async () => {
    const log: string[] = [];
    // --- README example start
    const emulator = await startEmulator({
      acceptAnyKey: true,
      models: { 'claude-sonnet-4-5': { overloaded: true } },
    });
    const pools = await createGatewayPools({
      keys: {
        openai: [{ id: 'openai-1', secret: 'sk-demo-0001' }],
        anthropic: [{ id: 'claude-1', secret: 'sk-ant-demo-0002' }],
      },
      chains: {
        default: [
          { provider: 'anthropic', model: 'claude-sonnet-4-5' },
          { provider: 'openai', model: 'gpt-4o-mini' },
        ],
      },
      upstreams: emulator.baseURLs,
    });
    const config = parseGatewayConfig(
      {
        port: 0,
        models: { smart: 'chain:default' },
        virtualKeys: [{ id: 'team-a', hash: hashVirtualKey('kp-team-a-key') }],
      },
      ['default'],
    );
    const gateway = await startGateway({ config, pools });
    gateway.on('request', (event) => log.push(`${event.status} ${event.model} key=${event.keyId}`));

    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'kp-team-a-key' });
    const answer = await openai.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    log.push(answer.choices[0]?.message.content ?? ''); // Claude was overloaded: GPT answered
    await gateway.close();
    await emulator.close();
    // --- README example end
    expect(log).toEqual(['200 smart key=openai-1', 'Echo: Hello!']);
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const copy = source.slice(
      source.indexOf('// --- README example start') + 27,
      source.indexOf('    // --- README example end'),
    );
    expect(normalised(copy)).toEqual(normalised(block('ts')));
  });

  it('serves the quick start keys file (upstreams pointed at the emulator)', async () => {
    const emulator = await startEmulator({ acceptAnyKey: true });
    const directory = await mkdtemp(join(tmpdir(), 'keypool-gateway-readme-'));
    try {
      const file = join(directory, 'keypool.yaml');
      // The keys file as written: its virtual key's hash is the hash of `kp-team-a`.
      expect(block('yaml')).toContain(`hash: ${hashVirtualKey('kp-team-a')}`);
      await writeFile(file, block('yaml'));
      const env = {
        OPENAI_API_KEY: 'sk-readme-0001',
        OPENAI_API_KEY_2: 'sk-readme-0002',
        ANTHROPIC_API_KEY: 'sk-ant-readme-3',
      };
      const loaded = await loadGatewayFile(file, { sources: [envSource(env)], port: 0 });
      expect(loaded.config.port).toBe(0);
      loaded.config.upstreams = emulator.baseURLs;
      const gateway = await serveGateway(loaded);
      try {
        const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'kp-team-a', maxRetries: 0 });
        for (const model of ['smart', 'fast']) {
          const answer = await openai.chat.completions.create({
            model,
            messages: [{ role: 'user', content: 'Hello' }],
          });
          expect(answer.choices[0]?.message.content).toBe('Echo: Hello');
        }
        await expect(
          openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
        ).rejects.toMatchObject({
          status: 403,
        });
        const metrics = await fetch(`${gateway.url}/metrics`, {
          headers: { authorization: 'Bearer kp-team-a' },
        });
        expect(await metrics.text()).toMatch(/keypool_key_requests_total\{[^}]*key="openai-1"[^}]*\} 1/);
        const page = await fetch(`${gateway.url}/dashboard/?token=kp-team-a`);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect((await fetch(`${gateway.url}/dashboard/status`)).status).toBe(401);
      } finally {
        await gateway.close();
      }
    } finally {
      await emulator.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("applies the pool options example's keys file as written (the emulator as upstream)", async () => {
    const emulator = await startEmulator({ acceptAnyKey: true });
    const directory = await mkdtemp(join(tmpdir(), 'keypool-gateway-readme-'));
    try {
      const file = join(directory, 'keypool.yaml');
      await writeFile(file, block('yaml', '### Pool options'));
      const loaded = await loadGatewayFile(file, {
        sources: [envSource({ OPENAI_API_KEY: 'sk-readme-pool-0001' })],
        port: 0,
      });
      expect(loaded.keys.pools.openai).toMatchObject({
        strategy: 'round-robin',
        maxAttempts: 3,
        maxWaitMs: 0,
      });
      loaded.config.upstreams = emulator.baseURLs;
      const gateway = await serveGateway(loaded);
      try {
        const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
        const answer = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Hello' }],
        });
        expect(answer.choices[0]?.message.content).toBe('Echo: Hello');
      } finally {
        await gateway.close();
      }
    } finally {
      await emulator.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
