import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real terminal for an interactive test: a detached tmux session on its own server socket file (so it never
 * touches another tmux), a fixed size, keys sent as a person types them, and the screen read back as text.
 */
export class TmuxSession {
  readonly #socket: string;
  readonly #name = 'main';

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `command` (a shell command line) in a new session of `columns` x `rows` with `env` added. */
  static async start(
    command: string,
    options: { env?: Record<string, string>; columns?: number; rows?: number; cwd?: string } = {},
  ): Promise<TmuxSession> {
    const name = `keypool-tmux-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const session = new TmuxSession(join(tmpdir(), name));
    const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    await session.#tmux(
      'new-session',
      '-d',
      '-s',
      session.#name,
      '-x',
      String(options.columns ?? 110),
      '-y',
      String(options.rows ?? 50),
      ...(options.cwd ? ['-c', options.cwd] : []),
      ...env,
      command,
    );
    return session;
  }

  /** Sends tmux key names (`Enter`, `Space`, `Down`, `Left`, `BSpace`...). */
  async keys(...names: string[]): Promise<void> {
    await this.#tmux('send-keys', '-t', this.#name, ...names);
  }

  /** Types text literally (no key-name lookup). */
  async type(text: string): Promise<void> {
    await this.#tmux('send-keys', '-t', this.#name, '-l', '--', text);
  }

  /** The screen and its scrollback, as plain text. */
  async screen(): Promise<string> {
    const { stdout } = await this.#tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', this.#name);
    return stdout;
  }

  /** Waits until the screen shows `text` (`times` times, polling), or throws with the screen as it is. */
  async waitFor(text: string, timeoutMs = 20_000, times = 1): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (screen.split(text).length - 1 >= times) return screen;
      if (Date.now() > until) throw new Error(`"${text}" never appeared on the screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Ends the session's tmux server (this test's own socket only) and every process in it. */
  async close(): Promise<void> {
    await this.#tmux('kill-server').catch(() => undefined);
    await rm(this.#socket, { force: true });
  }

  #tmux(...args: string[]) {
    // `-u`: the terminal speaks UTF-8 whatever the locale, so the prompts' symbols are drawn as they are.
    return run('tmux', ['-u', '-S', this.#socket, ...args], { env: { ...process.env, TMUX: '' } });
  }
}
