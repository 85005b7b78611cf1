import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime, in seconds. */
  readonly cpuSeconds: number;
  /** cutime + cstime: what its children that have ended used (PostgreSQL's backends come and go). */
  readonly endedChildrenCpuSeconds: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return {
      pid,
      ppid: Number(fields[1]),
      comm,
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      endedChildrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

function allStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

/** A process and every process below it (tsx's CLI runs the script in a child node). */
export function processTree(root: number): number[] {
  const stats = allStats();
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) for (const stat of stats) if (stat.ppid === tree[i]) tree.push(stat.pid);
  return tree.filter((pid) => stats.some((stat) => stat.pid === pid));
}

/** CPU seconds (user + system) used so far by a process and its descendants, those that have ended included. */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, pid) => {
    const stat = readStat(pid);
    return sum + (stat ? stat.cpuSeconds + stat.endedChildrenCpuSeconds : 0);
  }, 0);
}

/**
 * The innermost node process of a tree: the node that runs the script under `tsx` (not a helper
 * it may have started, such as esbuild's service process, which a signal meant for node would kill).
 */
export function leafPid(root: number): number {
  const nodes = processTree(root).filter((pid) => readStat(pid)?.comm === 'node');
  return nodes[nodes.length - 1] ?? root;
}

/** A direct child of this process by its command name (the embedded Temporal server). */
export function childByName(name: string): number | null {
  return allStats().find((stat) => stat.ppid === process.pid && stat.comm === name)?.pid ?? null;
}

/** Resident set size of one process, in bytes. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

const TSX_CLI = path.resolve(__dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * A TypeScript entry point run as its own process, as `npm run worker` / `npm run api` would, in its
 * own process group so that stop() ends the tsx launcher and the node it starts together.
 */
export function startChild(name: string, script: string, env: Record<string, string>, execArgv: string[] = []): Child {
  // With node flags (a profile), tsx runs in-process (`--import tsx`) so the flags reach the script's node.
  const args = execArgv.length > 0 ? [...execArgv, '--import', 'tsx', script] : [TSX_CLI, script];
  const child = spawn(process.execPath, args, {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid as number;
  return {
    name,
    process: child,
    pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL');
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Waits until `ready()` holds, failing with the child's output if it exits or time runs out. */
export async function waitFor(child: Child, what: string, ready: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited before ${what}:\n${child.output()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${child.name}: no ${what} after ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** CPU seconds of one process alone (all its threads), without its children. */
export function ownCpuSeconds(pid: number): number {
  return readStat(pid)?.cpuSeconds ?? 0;
}
