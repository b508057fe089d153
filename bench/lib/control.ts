// The child side of the bench's control channel. A bench child reads one JSON command per line on stdin
// (`{"id":1,"cmd":"seed",...}`) and answers each with one stdout line `REPLY <id> <json>`; any other stdout
// line is free (the `URL …` / `READY` line that tells the parent it started). When stdin ends (the parent
// is gone, even after SIGKILL) or on SIGTERM/SIGINT the child runs `onStop` and exits, so no child outlives
// the bench.
import { createInterface } from 'node:readline';

export type Handler = (args: Record<string, unknown>) => unknown;

export function serveControl(handlers: Record<string, Handler>, onStop: () => Promise<void> | void): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 8000).unref();
    try {
      await onStop();
    } catch (error) {
      process.stderr.write(`stop failed: ${String(error)}\n`);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let id: unknown = null;
    void (async () => {
      try {
        const { id: msgId, cmd, ...args } = JSON.parse(line) as { id: unknown; cmd: string } & Record<string, unknown>;
        id = msgId;
        const handler = handlers[cmd];
        if (!handler) throw new Error(`unknown command ${cmd}`);
        const result = await handler(args);
        process.stdout.write(`REPLY ${String(id)} ${JSON.stringify({ ok: true, result: result ?? null })}\n`);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.stdout.write(`REPLY ${String(id)} ${JSON.stringify({ ok: false, error: message })}\n`);
      }
    })();
  });
  lines.on('close', () => void stop());
  process.stdin.on('error', () => void stop());
}

/** The process's resident set size in bytes (VmRSS), read from /proc (falls back to memoryUsage). */
export async function memorySnapshot(gcRounds = 3): Promise<{ rss: number; heapUsed: number; external: number; arrayBuffers: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < gcRounds && gc; i++) {
    gc();
    // Let finalizers and weak callbacks run between rounds.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  let rss = usage.rss;
  try {
    const { readFileSync } = await import('node:fs');
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) rss = Number(match[1]) * 1024;
  } catch {
    // not Linux: memoryUsage().rss is the same number
  }
  return { rss, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers };
}
