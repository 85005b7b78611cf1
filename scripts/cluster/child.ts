import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A process of the cluster, in a process group of its own (so a signal reaches whatever it spawned,
 * and a test can SIGKILL one without the others), its last output kept for error messages.
 */
export class Child {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env: NodeJS.ProcessEnv; onLine?: (line: string) => void },
  ) {
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output = (this.output + text).slice(-20_000);
      if (options.onLine) for (const line of text.split('\n')) if (line.trim()) options.onLine(line);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code) => resolve(code));
      this.child.once('error', (error) => {
        this.output += `\n${command} could not start: ${error.message}`;
        resolve(null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /** The last 20 kB it printed. */
  tail(): string {
    return this.output;
  }

  /** Signals its whole group and waits for it to exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      // already gone
    }
  }
}
