// The real Gatehouse app for the bench, in its own process (so the load generator does not share its
// event loop). Config comes from the JSON in BENCH_GATEHOUSE_ENV on top of bench defaults; the database is a
// fresh temp file removed at exit. Prints `URL <graphql url>` on stdout; exits on SIGTERM/SIGINT or when
// stdin closes (parent gone).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const extra = JSON.parse(process.env.BENCH_GATEHOUSE_ENV ?? '{}') as Record<string, string>;
let app: Awaited<ReturnType<typeof createApp>> | null = null;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  setTimeout(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  }, 8000).unref();
  try {
    await app?.stop();
  } catch (error) {
    process.stderr.write(`stop failed: ${String(error)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  }
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('error', () => void stop());
process.stdin.resume();

try {
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'gatehouse.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  });
  app = await createApp(config, { sweeper: false, portalKeeper: false });
  const url = await app.start(0);
  process.stdout.write(`URL ${url}\n`);
} catch (error) {
  process.stderr.write(`gatehouse bench server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  await stop(1);
}
