// `me` throughput, server CPU per request and GC with N graphql-ws subscriptions open (default 5,000), in a
// Gatehouse child as `gatehouse serve` tunes V8 and in one left at V8's defaults (BENCH_V8_DEFAULTS=1),
// alternating ROUNDS times (default 2). Shows what src/lib/v8-tuning.ts changes.
//   npx tsx bench/tools/me-with-subscribers.ts
import { join } from 'node:path';
import { runLoad } from '../load.js';
import { cpuMsOf, startChild, startServer, stopAll } from '../lib/proc.js';

const N = Number(process.env.N ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const SESSION_EVENTS = 'subscription { sessionEvents { type session { id } } }';

async function measure(v8Defaults: boolean): Promise<string> {
  const [gh, swarm] = await Promise.all([
    startServer('gatehouse', 'gatehouse.ts', { WS_MAX_ANONYMOUS_SOCKETS_PER_IP: '100000' }, { env: v8Defaults ? { BENCH_V8_DEFAULTS: '1' } : {} }),
    startChild('swarm', join('clients', 'swarm.ts')),
  ]);
  try {
    const users = await gh.call<{ sessionId: string; token: string }[]>('seed', { prefix: 'sub', count: N, role: 'MEMBER' });
    const items = users.map((u) => ({ key: u.sessionId, token: u.token }));
    await swarm.call('open', { group: 'subs', wsUrl: gh.wsUrl, protocol: 'graphql-ws', query: SESSION_EVENTS, items }, 300_000);
    const [me] = await gh.call<{ token: string }[]>('seed', { prefix: 'me', count: 1, role: 'MEMBER' });
    const load = { url: gh.url, body: JSON.stringify({ query: '{ me { id } }' }), headers: { authorization: `Bearer ${me.token}` }, concurrency: 10 };
    await runLoad({ ...load, durationMs: 3000 });
    await gh.call('loopDelay');
    const before = cpuMsOf(gh.pid)!;
    const r = await runLoad({ ...load, durationMs: 10_000 });
    const cpu = (cpuMsOf(gh.pid)! - before) / r.requests;
    const { gc } = await gh.call<{ gc: { count: number; totalMs: number; maxMs: number } }>('loopDelay');
    return `${r.requests / 10} req/s, p99 ${r.p99.toFixed(2)} ms, server CPU ${cpu.toFixed(3)} ms/req, GC ${gc.count} pauses / ${gc.totalMs.toFixed(0)} ms (longest ${gc.maxMs.toFixed(1)} ms)`;
  } finally {
    await Promise.all([gh.stop(), swarm.stop()]);
  }
}

try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const v8Defaults of [true, false]) {
      console.log(`${N} subscriptions open, me at c=10 for 10 s, ${v8Defaults ? 'V8 defaults     ' : 'as gatehouse serve'}: ${await measure(v8Defaults)}`);
    }
  }
} finally {
  await stopAll();
}
