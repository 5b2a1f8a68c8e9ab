import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { CANARY, CLI } from './run-keypool';

/** What a run in a pseudo-terminal printed (stdout and stderr together, as a terminal shows them). */
export interface TerminalRun {
  code: number | null;
  output: string;
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `node dist/cli.js ...args` inside a real pseudo-terminal of `rows` x `columns` (util-linux `script`), so
 * the CLI sees a TTY on stdout, as it does for a person at a terminal.
 */
export function runInTerminal(
  args: readonly string[],
  options: {
    rows?: number;
    columns?: number;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
  } = {},
): Promise<TerminalRun> {
  const command = `stty rows ${options.rows ?? 24} cols ${options.columns ?? 80}; exec ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}`;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: Object.fromEntries(
        Object.entries(env).filter(([, value]) => value !== undefined),
      ) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keypool ${args.join(' ')} timed out in a terminal:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      expect(output).not.toContain(CANARY);
      resolve({ code, output });
    });
    child.stdin.end();
  });
}
