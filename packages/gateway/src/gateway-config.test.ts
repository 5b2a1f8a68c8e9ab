import { ConfigError } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './gateway-config';
import { hashVirtualKey, VirtualKeys } from './virtual-keys';

function issues(section: unknown, chains: string[] = []): string[] {
  try {
    parseGatewayConfig(section, chains);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('no error');
}

describe('parseGatewayConfig', () => {
  it('fills in safe defaults: loopback, port 8787, no virtual keys', () => {
    expect(parseGatewayConfig(undefined)).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      models: {},
      virtualKeys: [],
      deadlineMs: 60_000,
      attemptTimeoutMs: 30_000,
      drainTimeoutMs: 10_000,
    });
  });

  it('maps model names to providers and chains', () => {
    const config = parseGatewayConfig(
      {
        models: {
          a: 'openai/gpt-4o-mini',
          b: 'chain:default',
          c: { provider: 'anthropic', model: 'claude-haiku-4-5' },
        },
      },
      ['default'],
    );
    expect(config.models).toEqual({
      a: { kind: 'provider', provider: 'openai', model: 'gpt-4o-mini' },
      b: { kind: 'chain', chain: 'default' },
      c: { kind: 'provider', provider: 'anthropic', model: 'claude-haiku-4-5' },
    });
  });

  it('names every problem by its path', () => {
    expect(
      issues({
        port: 70_000,
        models: { x: 'gpt-4o' },
        virtualKeys: [{ id: 'a', hash: 'kp-plain-key' }],
        bogus: 1,
      }),
    ).toEqual([
      'gateway.port: must be 0..65535',
      'gateway.models.x: must be "chain:<name>" or "<provider>/<model>" (provider: openai, anthropic, gemini, mistral)',
      'gateway.virtualKeys[0].hash: must be "sha256:" and 64 lower-case hex digits (the key itself is never stored)',
      'gateway: unknown field "bogus"',
    ]);
  });

  it('refuses an unknown chain, duplicate virtual key ids, and a public host without virtual keys', () => {
    const hash = hashVirtualKey('k');
    expect(issues({ models: { m: 'chain:nope' } }, ['default'])).toEqual([
      'gateway.models.m: no chain named "nope" in chains',
    ]);
    expect(
      issues({
        virtualKeys: [
          { id: 'a', hash },
          { id: 'a', hash },
        ],
      }),
    ).toEqual(['gateway.virtualKeys[1].id: duplicate id "a"']);
    expect(issues({ host: '0.0.0.0' })).toEqual([
      'gateway.host: listening on 0.0.0.0 (not loopback) needs virtualKeys, so that not anyone can spend the keys',
    ]);
    expect(parseGatewayConfig({ host: '0.0.0.0', virtualKeys: [{ id: 'a', hash }] }).host).toBe('0.0.0.0');
  });

  it('mounts the dashboard and metrics only when asked, at their paths, for the listed virtual keys', () => {
    const hash = hashVirtualKey('k');
    expect(parseGatewayConfig({})).not.toHaveProperty('dashboard');
    expect(parseGatewayConfig({ dashboard: false, metrics: false })).not.toHaveProperty('metrics');
    expect(parseGatewayConfig({ dashboard: true, metrics: true })).toMatchObject({
      dashboard: { path: '/dashboard' },
      metrics: { path: '/metrics' },
    });
    const config = parseGatewayConfig({
      virtualKeys: [{ id: 'ops', hash }],
      dashboard: { path: '/keypool/', virtualKeys: ['ops'] },
    });
    expect(config.dashboard).toEqual({ path: '/keypool', virtualKeys: ['ops'] });
    expect(
      issues({
        virtualKeys: [{ id: 'ops', hash }],
        dashboard: { path: 'dash', virtualKeys: ['nobody'] },
        metrics: { path: '/v1/metrics' },
      }),
    ).toEqual([
      'gateway.dashboard.path: must be a path starting with "/" (letters, digits, . _ ~ - /)',
      "gateway.metrics.path: must not be under /v1, /healthz, /readyz (the gateway's own routes)",
    ]);
    expect(issues({ virtualKeys: [{ id: 'ops', hash }], dashboard: { virtualKeys: ['nobody'] } })).toEqual([
      'gateway.dashboard.virtualKeys[0]: no virtual key with id "nobody"',
    ]);
    expect(issues({ dashboard: { path: '/ops' }, metrics: { path: '/ops/metrics' } })).toEqual([
      'gateway.metrics.path: must not be under gateway.dashboard.path',
    ]);
    expect(issues({ dashboard: 'yes' })).toEqual([
      'gateway.dashboard: must be true, false or { path?, virtualKeys? }',
    ]);
  });
});

describe('VirtualKeys', () => {
  it('finds a key by the hash of what the client sent, and checks its models', () => {
    const keys = new VirtualKeys([{ id: 'team', hash: hashVirtualKey('kp-secret'), models: ['fast'] }]);
    expect(hashVirtualKey('kp-secret')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keys.find('kp-secret')?.id).toBe('team');
    expect(keys.find('kp-other')).toBeUndefined();
    expect(keys.find(undefined)).toBeUndefined();
    expect(keys.allows(keys.find('kp-secret'), 'fast')).toBe(true);
    expect(keys.allows(keys.find('kp-secret'), 'slow')).toBe(false);
    expect(keys.open).toBe(false);
    expect(new VirtualKeys([]).open).toBe(true);
  });
});
