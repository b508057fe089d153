// Starts bench servers and clients as child processes and guarantees they are stopped: every child is tracked,
// stopped by stopAll() (called from run.ts's finally and its signal handlers), and killed synchronously if
// the bench exits any other way. A child whose parent dies without a word sees its stdin close and exits.
// Children answer commands over stdin/stdout (bench/lib/control.ts): `call(cmd, args)`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const children = new Set<ChildProcess>();

export interface ServerHandle {
  name: string;
  /** The URL the child printed (`URL …`), or '' for a child that prints `READY`. */
  url: string;
  wsUrl: string;
  pid: number;
  /** Sends a control command and resolves with the child's answer (rejects with its error). */
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. --expose-gc. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

/**
 * Spawns `node --import tsx bench/servers/<script>` (config JSON in BENCH_GATEHOUSE_ENV) and resolves once it
 * prints `URL …`. `options.env` sets the child's own environment (e.g. BENCH_V8_DEFAULTS).
 */
export function startServer(name: string, script: string, env: Record<string, string> = {}, options: ChildOptions = {}): Promise<ServerHandle> {
  return startChild(name, join('servers', script), { ...options, env: { ...options.env, BENCH_GATEHOUSE_ENV: JSON.stringify(env) } });
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; null elsewhere). */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return null;
  }
}

/** Spawns `node --import tsx bench/<relPath>` and resolves once it prints `URL …` or `READY`. */
export function startChild(name: string, relPath: string, options: ChildOptions = {}): Promise<ServerHandle> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each child to <dir> when it exits.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, ...(options.nodeArgs ?? []), '--import', 'tsx', join(root, 'bench', relPath)], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { children.delete(child); resolve(); }));
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
    if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${String(chunk)}`);
  });
  child.stdin!.on('error', () => undefined); // the child may be gone already
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  void exited.then(() => {
    for (const [, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode})\n${stderr.slice(-4000)}`));
    }
    pending.clear();
  });
  const call = <T>(cmd: string, args: Record<string, unknown> = {}, callTimeoutMs = 120_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${name} is not running`));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: no answer to ${cmd} within ${callTimeoutMs} ms`));
      }, callTimeoutMs);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  return new Promise((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => { void stop(); reject(new Error(`${name}: not ready within ${timeoutMs} ms\n${stderr}`)); }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const reply = /^REPLY (\d+) (.*)$/.exec(line);
      if (reply) {
        const p = pending.get(Number(reply[1]));
        if (!p) return;
        pending.delete(Number(reply[1]));
        clearTimeout(p.timer);
        const body = JSON.parse(reply[2]) as { ok: boolean; result?: unknown; error?: string };
        if (body.ok) p.resolve(body.result);
        else p.reject(new Error(`${name}: ${body.error}`));
        return;
      }
      const match = /^(?:URL (\S+)|READY)/.exec(line);
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        const url = match[1] ?? '';
        resolve({ name, url, wsUrl: url.replace(/^http/, 'ws'), pid: child.pid!, call, stop });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${name} exited early (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
}

/** Stops every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    });
  }));
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
