import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ping } from './redis-server.ts';

const run = promisify(execFile);

/** One node of a test cluster: its port and its process. */
export interface ClusterNode {
  readonly port: number;
  readonly process: ChildProcess;
}

/** A Redis Cluster of 3 masters and 3 replicas on 127.0.0.1, started by a test in a temp directory. */
export interface TestCluster {
  /** Every node, in start order (the first three start as masters). */
  readonly nodes: readonly ClusterNode[];
  /** `{ host, port }` of every node: the startup nodes for ioredis' `Cluster`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Runs `redis-cli -p <port> <args>` and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Stops every node and removes the temp directory. */
  stop(): Promise<void>;
}

/** Throws a clear error when `redis-server` or `redis-cli` is not on PATH (the cluster tests are never skipped). */
export function requireRedisBinaries(): void {
  for (const binary of ['redis-server', 'redis-cli']) {
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0)
      throw new Error(
        `${binary} is not installed (or not on PATH): the Redis Cluster tests start a real cluster. ` +
          'Install Redis 7 (e.g. `apt-get install -y redis-server`).',
      );
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts 6 `redis-server`s in cluster mode (each with its own port, bus port and directory under a temp dir) and
 * joins them with `redis-cli --cluster create --cluster-replicas 1`. Waits until every node reports `cluster_state:ok`.
 */
export async function startCluster(): Promise<TestCluster> {
  requireRedisBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'keypool-cluster-'));
  const nodes: ClusterNode[] = [];
  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 })).stdout;
  const stop = async () => {
    for (const node of nodes) node.process.kill('SIGKILL');
    await Promise.all(nodes.map((node) => exited(node.process)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < 6; index++) {
      const port = await freePort();
      const busPort = await freePort();
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '1000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, process: child });
    }
    for (const node of nodes) await waitFor(() => ping(node.port), `redis-server on port ${node.port}`);
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'],
      {
        timeout: 60_000,
      },
    );
    for (const node of nodes)
      await waitFor(
        async () => (await cli(node.port, 'cluster', 'info')).includes('cluster_state:ok'),
        `cluster_state:ok on port ${node.port}`,
      );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    cli,
    stop,
  };
}

/** The masters of the cluster, with the slot ranges each serves and its replicas' ports (from `CLUSTER SHARDS`). */
export async function clusterMasters(
  cluster: TestCluster,
  port: number,
): Promise<{ port: number; slots: [number, number][]; replicas: number[] }[]> {
  const out = await cluster.cli(port, 'cluster', 'nodes');
  const lines = out.trim().split('\n');
  const portOf = (address: string) => Number(address.split('@')[0]!.split(':')[1]);
  const masters = lines.filter((line) => {
    const flags = line.split(' ')[2]!;
    return flags.includes('master') && !flags.includes('fail');
  });
  return masters.map((line) => {
    const fields = line.split(' ');
    const id = fields[0]!;
    const slots = fields
      .slice(8)
      .filter((range) => /^\d/.test(range))
      .map((range) => {
        const [from, to] = range.split('-').map(Number);
        return [from!, to ?? from!] as [number, number];
      });
    const replicas = lines
      .filter((other) => other.split(' ')[3] === id && other.split(' ')[2]!.includes('slave'))
      .map((other) => portOf(other.split(' ')[1]!));
    return { port: portOf(fields[1]!), slots, replicas };
  });
}
