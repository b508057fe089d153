// Starts bench servers as child processes and guarantees they are stopped: every child is tracked,
// stopped by stopAll() (called from run.ts's finally), and killed synchronously if the bench exits any other way.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const children = new Set<ChildProcess>();

export interface ServerHandle {
  name: string;
  url: string;
  wsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns `node --import tsx bench/servers/<script>` and resolves once it prints `URL …`. */
export function startServer(name: string, script: string, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ServerHandle> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server to <dir> when it exits.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(root, 'bench', 'servers', script)], {
    cwd: root,
    env: { ...process.env, BENCH_GATEHOUSE_ENV: JSON.stringify(env) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { children.delete(child); resolve(); }));
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += String(chunk); if (stderr.length > 20_000) stderr = stderr.slice(-20_000); });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { void stop(); reject(new Error(`${name}: no URL within ${timeoutMs} ms\n${stderr}`)); }, timeoutMs);
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /URL (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ name, url: match[1], wsUrl: match[1].replace(/^http/, 'ws'), pid: child.pid!, stop });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (code ${code}, signal ${signal})\n${stderr}`));
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
