import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerCommand, WorkerConfig } from './pool-worker-main.ts';

const WORKER_FILE = fileURLToPath(new URL('./pool-worker.ts', import.meta.url));

/** A pool in a child process, driven by commands over IPC (see pool-worker-main.ts). */
export interface Worker {
  child: ChildProcess;
  request<T>(command: WorkerCommand, reply: string): Promise<T>;
}

/** Forks a worker process with its own pool on the shared Redis; resolves once its pool is ready. */
export function startWorker(config: WorkerConfig): Promise<Worker> {
  const child = fork(WORKER_FILE, [JSON.stringify(config)], {
    execArgv: ['--conditions=@keypool/source', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = <T>(command: WorkerCommand, reply: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== reply) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      };
      const onExit = (code: number | null) => reject(new Error(`worker exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(command);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
    child.once('message', () => resolve({ child, request }));
  });
}

/** Asks a worker to close its pool and exit; kills it if it has not exited within 3 s. */
export function stopWorker(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    if (worker.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), 3_000);
    worker.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.child.send({ type: 'close' });
  });
}
