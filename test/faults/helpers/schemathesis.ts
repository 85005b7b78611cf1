import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Git-ignored, next to the pinned Temporal binaries' venv. */
const VENV = path.join(ROOT, '.temporal', 'schemathesis-venv');
const ST = path.join(VENV, 'bin', 'st');

/** The `st` CLI of schemathesis 4.x, installed into its own venv on first use. */
export async function schemathesisCli(): Promise<string> {
  if (existsSync(ST)) return ST;
  const run = promisify(execFile);
  await run('python3', ['-m', 'venv', VENV]);
  await run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', 'schemathesis>=4,<5'], { timeout: 600_000 });
  return ST;
}

const running = new Set<number>();

/** Kills every `st` still running (a test that timed out leaves it behind otherwise). */
export function killSchemathesis(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  running.clear();
}

/** Runs `st` to completion in `cwd` (where it keeps its example database); its exit code and whole output. */
export function runCli(
  cli: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cli, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid as number);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n(killed after ${options.timeoutMs} ms)`;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // gone already
      }
    }, options.timeoutMs);
    child.once('close', (code) => {
      running.delete(child.pid as number);
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
