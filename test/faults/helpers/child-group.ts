import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A child process in its own process group (tsx runs the service in a grandchild), so a fault test
 * can SIGKILL the whole group at a random moment, as the OOM killer or a crashed host would.
 */
export class ChildGroup {
  private output = '';
  /** Lines at pino level warn (40) or above, and anything that is not a JSON log line; the first 200. */
  readonly problems: string[] = [];
  /** Lines at pino level error (50) or fatal (60); the first 200. */
  readonly errors: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output = (this.output + text).slice(-20_000);
      for (const line of text.split('\n')) {
        if (this.problems.length < 200 && line.trim() && !/^\{"level":(10|20|30),/.test(line)) this.problems.push(line.slice(0, 2_000));
        if (this.errors.length < 200 && /^\{"level":(50|60),/.test(line)) this.errors.push(line.slice(0, 2_000));
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code) => resolve(code));
      this.child.once('error', (error) => {
        this.output += `\nspawn failed: ${error.message}`;
        resolve(null);
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 20 kB it printed. */
  tail(): string {
    return this.output;
  }

  /** SIGKILL to the whole group; resolves once the process is gone and its pipes are closed. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      // the group is gone already
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.child.unref();
  }
}
