// `npm run bench` / `npm run bench:quick`: starts real servers on 127.0.0.1 in child processes, drives them,
// and prints one table of Gatehouse-vs-baseline ratios (issue 8's seven scenarios). The full run writes
// bench/results.md. --quick runs every scenario briefly at small scale and asserts nothing about speed
// (exit 0 unless something crashed). `--only=2,4` runs a subset (no results.md).
import os from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { runLoad, gqlPost, percentile, summarize, type LoadOptions, type LoadResult } from './load.js';
import { cpuMsOf, startChild, startServer, stopAll, type ServerHandle } from './lib/proc.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? null;
const wanted = (n: string) => !only || only.includes(n);
const here = dirname(fileURLToPath(import.meta.url));
const P = {
  warmMs: quick ? 250 : 3000,
  /** Measured time per side of a throughput or latency comparison, split over `rounds` alternating rounds. */
  durMs: quick ? 1000 : 10_000,
  rounds: quick ? 1 : 2,
  concurrency: 10,
  signInUsers: quick ? 2 : 4,
  signInConcurrency: 8,
  meRate: 100,
  revokeSockets: quick ? 200 : 5000,
  revokeBaselineSockets: 10,
  revokes: quick ? 20 : 200,
  broadcastSockets: quick ? 200 : 5000,
  broadcastRounds: quick ? 2 : 5,
  memorySockets: quick ? 200 : 5000,
  memoryWarmSockets: quick ? 20 : 100,
  portalSessions: quick ? 100 : 10_000,
  /** Settling time before a memory reading. */
  settleMs: quick ? 100 : 1000,
  // BENCH_PARAMS='{"broadcastSockets":2000}' overrides any of these (for profiling; results.md is then not written).
  ...(JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Record<string, number>),
};

const PASSWORD = 'Bench-pass-7319-quartz';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const ms = (v: number) => `${v.toFixed(2)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

interface Row {
  scenario: string;
  gatehouse: string;
  baseline: string;
  ratio: number | null;
  target: string;
  pass: boolean | null;
}
const rows: Row[] = [];
const details: string[] = [];

function detail(line: string) {
  details.push(line);
  log(line);
}

type Measured = LoadResult & { cpuMs?: number };

function describe(name: string, r: Measured) {
  const cpu = r.cpuMs === undefined ? '' : `, server CPU ${(r.cpuMs / r.requests).toFixed(3)} ms/req`;
  detail(`${name}: ${r.requests} req in ${r.seconds.toFixed(1)} s = ${r.rps.toFixed(0)} req/s, p50 ${ms(r.p50)}, p90 ${ms(r.p90)}, p99 ${ms(r.p99)}, max ${ms(r.max)}${cpu}, errors ${r.errors}`);
  if (r.errors > 0) throw new Error(`${name}: ${r.errors} failed requests; first: ${r.firstError}`);
}

/** Merges runs of one side of a comparison into one result (all latencies, total requests over total time). */
function merge(results: LoadResult[]): LoadResult {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  return summarize(latencies, seconds, errors, results.find((r) => r.firstError)?.firstError ?? null);
}

/** Runs a load and, given the server's pid, the CPU time the server spent on it. */
async function measured(options: LoadOptions, pid?: number): Promise<Measured> {
  const before = pid === undefined ? null : cpuMsOf(pid);
  const result = await runLoad(options);
  const after = pid === undefined ? null : cpuMsOf(pid);
  return before === null || after === null ? result : { ...result, cpuMs: after - before };
}

type Side = { options: () => Omit<LoadOptions, 'durationMs'>; pid: number };

/**
 * Runs A and B for P.durMs each, in P.rounds alternating slices (A, B, A, B …), so background noise on
 * a shared machine falls on both sides alike. Returns the merged results, with each server's CPU time
 * (CPU per request is far less sensitive to other work on the machine than requests per second).
 */
async function alternate(a: Side, b: Side, durMs = P.durMs) {
  const ra: Measured[] = [];
  const rb: Measured[] = [];
  const slice = durMs / P.rounds;
  for (let i = 0; i < P.rounds; i++) {
    ra.push(await measured({ ...a.options(), durationMs: slice }, a.pid));
    rb.push(await measured({ ...b.options(), durationMs: slice }, b.pid));
  }
  const sum = (list: Measured[]) => (list.every((r) => r.cpuMs !== undefined) ? list.reduce((s, r) => s + r.cpuMs!, 0) : undefined);
  return [{ ...merge(ra), cpuMs: sum(ra) }, { ...merge(rb), cpuMs: sum(rb) }] as const;
}

/** Temp dirs the bench made; removed at exit however it exits. */
const tempDirs = new Set<string>();
function tempDir(): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'gatehouse-bench-run-'));
  tempDirs.add(dir);
  return dir;
}
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { token session { id } user { id } } }';
const SIGN_IN =
  'mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { token session { id } } } }';
type SignUpData = { signUp: { token: string; session: { id: string }; user: { id: string } } };
type Seeded = { token: string; sessionId: string; userId: string; email: string };

async function pool<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

async function signUpMany(url: string, prefix: string, count: number, concurrency = 4) {
  return pool(count, concurrency, async (i) =>
    (await gqlPost<SignUpData>(url, SIGN_UP, { input: { email: `${prefix}-${i}@bench.test`, password: PASSWORD, name: `${prefix} ${i}` } })).signUp,
  );
}

/** Users with one session each, made inside the server through its stores and services (bench/servers/gatehouse.ts). */
function seed(gh: ServerHandle, prefix: string, count: number, role = 'MEMBER'): Promise<Seeded[]> {
  return gh.call<Seeded[]>('seed', { prefix, count, role });
}

const meBody = JSON.stringify({ query: '{ me { id } }' });
const meCheck = (b: string) => b.includes('"me":{"id"');
const meLoad = (gh: ServerHandle, token: string, extra: Partial<LoadOptions> = {}) => ({
  url: gh.url,
  body: meBody,
  headers: { authorization: `Bearer ${token}` },
  concurrency: P.concurrency,
  check: meCheck,
  ...extra,
});

// ── Scenario 1: authenticated `me` vs bare yoga `{ hello }` ──────────────────────────────────────────────
async function scenarioBaseline() {
  log('scenario 1: me vs bare yoga');
  const [bare, gh] = await Promise.all([startServer('bare-yoga', 'bare-yoga.ts'), startServer('gatehouse', 'gatehouse.ts', { SIGNUP_RATE_LIMIT: 'off' })]);
  try {
    const [user] = await signUpMany(gh.url, 'me', 1);
    const helloBody = JSON.stringify({ query: '{ hello }' });
    const bareOpts = () => ({ url: bare.url, body: helloBody, concurrency: P.concurrency, check: (b: string) => b.includes('"hello":"world"') });
    const ghOpts = () => meLoad(gh, user.token);
    await runLoad({ ...bareOpts(), durationMs: P.warmMs });
    await runLoad({ ...ghOpts(), durationMs: P.warmMs });
    const [b, g] = await alternate({ options: bareOpts, pid: bare.pid }, { options: ghOpts, pid: gh.pid });
    describe(`bare yoga { hello } (c=${P.concurrency})`, b);
    describe(`gatehouse { me { id } } (c=${P.concurrency})`, g);
    const tr = g.rps / b.rps;
    const pr = g.p99 / b.p99;
    rows.push({ scenario: '1a `me` throughput vs bare yoga `{ hello }`', gatehouse: `${g.rps.toFixed(0)} req/s`, baseline: `${b.rps.toFixed(0)} req/s`, ratio: tr, target: '≥ 0.85×', pass: tr >= 0.85 });
    rows.push({ scenario: '1b `me` p99 vs bare yoga', gatehouse: ms(g.p99), baseline: ms(b.p99), ratio: pr, target: '≤ 1.5×', pass: pr <= 1.5 });
  } finally {
    await Promise.all([bare.stop(), gh.stop()]);
  }
}

// ── Scenario 2: `me` vs Better Auth get-session on the same SQLite file ──────────────────────────────────
async function scenarioPeer() {
  log('scenario 2: me vs Better Auth get-session');
  if (!existsSync(join(here, 'peer', 'node_modules', 'better-auth'))) {
    throw new Error('scenario 2 needs the peer installed in its own folder: npm ci --prefix bench/peer');
  }
  // One SQLite file for both: Gatehouse's tables and Better Auth's (user, session, account, verification).
  const dir = tempDir();
  const dbPath = join(dir, 'shared.db');
  const [gh, peer, bare] = await Promise.all([
    startServer('gatehouse', 'gatehouse.ts', { DATABASE_PATH: dbPath }),
    startChild('better-auth', join('peer', 'server.ts'), { env: { BENCH_DB_PATH: dbPath } }),
    startServer('bare-yoga', 'bare-yoga.ts'),
  ]);
  try {
    const [user] = await seed(gh, 'peer-me', 1);
    const email = 'peer-user@bench.test';
    const signUp = await fetch(`${peer.url}/sign-up/email`, {
      method: 'POST',
      // A browser's sign-up form sends its Origin; Better Auth refuses a POST without one.
      headers: { 'content-type': 'application/json', origin: new URL(peer.url).origin },
      body: JSON.stringify({ email, password: PASSWORD, name: 'Peer user' }),
    });
    const setCookie = signUp.headers.getSetCookie().find((c) => c.startsWith('better-auth.session_token='));
    if (signUp.status !== 200 || !setCookie) throw new Error(`Better Auth sign-up failed: HTTP ${signUp.status} ${await signUp.text()}`);
    const cookie = setCookie.split(';')[0];
    const peerCheck = (b: string) => b.includes(`"email":"${email}"`) && b.includes('"session"');
    const probe = await (await fetch(`${peer.url}/get-session`, { headers: { cookie } })).text();
    if (!peerCheck(probe)) throw new Error(`Better Auth get-session did not return the session: ${probe.slice(0, 300)}`);
    const peerOpts = () => ({ url: `${peer.url}/get-session`, method: 'GET' as const, headers: { cookie }, concurrency: P.concurrency, check: peerCheck });
    const ghOpts = () => meLoad(gh, user.token);
    await runLoad({ ...peerOpts(), durationMs: P.warmMs });
    await runLoad({ ...ghOpts(), durationMs: P.warmMs });
    const [b, g] = await alternate({ options: peerOpts, pid: peer.pid }, { options: ghOpts, pid: gh.pid });
    describe(`Better Auth GET /api/auth/get-session, cookie session (c=${P.concurrency})`, b);
    describe(`gatehouse { me { id } } (c=${P.concurrency})`, g);
    // Context, not a target: how far the HTTP+GraphQL layer alone (bare yoga) is from the peer.
    const helloBody = JSON.stringify({ query: '{ hello }' });
    const y = await measured({ url: bare.url, body: helloBody, concurrency: P.concurrency, check: (x: string) => x.includes('"hello":"world"'), durationMs: P.durMs / P.rounds }, bare.pid);
    describe(`context: bare yoga { hello } (c=${P.concurrency}) = ${(y.rps / b.rps).toFixed(2)}× Better Auth`, y);
    const tr = g.rps / b.rps;
    rows.push({ scenario: '2 `me` throughput vs Better Auth get-session', gatehouse: `${g.rps.toFixed(0)} req/s`, baseline: `${b.rps.toFixed(0)} req/s`, ratio: tr, target: '≥ 4×', pass: tr >= 4 });
  } finally {
    // The peer first: Gatehouse checkpoints the shared file (wal_checkpoint(TRUNCATE)) as it stops.
    await peer.stop();
    await Promise.all([gh.stop(), bare.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ── Scenario 3: targeted revocation latency, N idle subscribed sockets vs 10 ──────────────────────────────
const SESSION_EVENTS = 'subscription { sessionEvents { type reason session { id } } }';
/**
 * Every bench socket comes from 127.0.0.1 and the swarm opens 50 at a time: lift the per-IP cap on sockets
 * still waiting for connection_init (an abuse limit, default 20) so it does not refuse them.
 */
const WS_ENV = { WS_MAX_ANONYMOUS_SOCKETS_PER_IP: '100000' };

/** Fails the scenario if any subscription got an error or ended early (the swarm counts them). */
async function checkSwarm(swarm: ServerHandle) {
  const { problems } = await swarm.call<{ problems: string[] }>('stats');
  if (problems.length > 0) throw new Error(`subscriptions failed:\n${problems.join('\n')}`);
}

/**
 * The swarm holds up to `sockets` client sockets in one process (and a server as many). Node raises its
 * soft open-files limit to the hard one at start, so the hard limit (`ulimit -Hn`) is what counts.
 */
function checkFdLimit(sockets: number) {
  let limit = Infinity;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft && soft !== 'unlimited') limit = Number(soft);
  } catch {
    // not Linux: let the sockets fail with EMFILE if the limit is too low
  }
  if (limit < sockets + 1000) throw new Error(`${sockets} sockets need an open-files limit of at least ${sockets + 1000} (it is ${limit}); raise it with ulimit -n`);
}

async function liveSockets(gh: ServerHandle): Promise<number> {
  return (await gh.call<{ sessionSockets: number }>('stats')).sessionSockets;
}

async function scenarioRevocation() {
  const N = P.revokeSockets;
  const small = P.revokeBaselineSockets;
  log(`scenario 3: revocation with ${N} vs ${small} sockets, ${P.revokes} revocations each`);
  checkFdLimit(N + small);
  const [big, base, swarm] = await Promise.all([
    startServer('gatehouse-big', 'gatehouse.ts', WS_ENV),
    startServer('gatehouse-small', 'gatehouse.ts', WS_ENV),
    startChild('swarm', join('clients', 'swarm.ts')),
  ]);
  try {
    const t = performance.now();
    const [bigUsers, smallUsers, [bigAdmin], [smallAdmin]] = await Promise.all([
      seed(big, 'revoke-big', N),
      seed(base, 'revoke-small', small + P.revokes),
      seed(big, 'admin', 1, 'ADMIN'),
      seed(base, 'admin', 1, 'ADMIN'),
    ]);
    log(`seeded ${N + small + P.revokes} sessions in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const items = (list: Seeded[]) => list.map((u) => ({ key: u.sessionId, token: u.token }));
    const openSmall = (list: Seeded[]) => swarm.call('open', { group: 'small', wsUrl: base.wsUrl, protocol: 'graphql-ws', query: SESSION_EVENTS, items: items(list) });
    await openSmall(smallUsers.slice(0, small));
    const opened = await swarm.call<{ ms: number }>('open', { group: 'big', wsUrl: big.wsUrl, protocol: 'graphql-ws', query: SESSION_EVENTS, items: items(bigUsers) }, 300_000);
    log(`opened ${N} subscribed sockets in ${(opened.ms / 1000).toFixed(1)} s`);
    // Subscriptions are live once the server holds a sessionEvents listener for each.
    const listening = async (gh: ServerHandle, n: number) =>
      ((await gh.call<{ listeners: Record<string, number> }>('stats')).listeners['user:sessions'] ?? 0) >= n && (await liveSockets(gh)) >= n;
    await waitFor('sessionEvents subscriptions', async () => (await listening(big, N)) && (await listening(base, small)));
    await sleep(500);

    type Timing = { fromResponse: number; fromSend: number; sawNotice: boolean };
    const smallTimes: Timing[] = [];
    const bigTimes: Timing[] = [];
    const smallQueue = smallUsers.slice(0, small);
    let nextSmall = small;
    const step = Math.floor(N / P.revokes);
    const revokeSmall = async () => {
      const victim = smallQueue.shift()!;
      smallTimes.push(await swarm.call<Timing>('revokeOne', { group: 'small', key: victim.sessionId, url: base.url, adminToken: smallAdmin.token }));
      // Keep `small` sockets open: one more for the one that closed.
      const fresh = smallUsers[nextSmall++];
      await openSmall([fresh]);
      smallQueue.push(fresh);
      await waitFor('replacement subscription', () => listening(base, small));
    };
    const revokeBig = async (i: number) => {
      bigTimes.push(await swarm.call<Timing>('revokeOne', { group: 'big', key: bigUsers[i * step].sessionId, url: big.url, adminToken: bigAdmin.token }));
    };
    await Promise.all([big.call('loopDelay'), base.call('loopDelay')]);
    for (let i = 0; i < P.revokes; i++) {
      // Interleaved (and in alternating order) so background noise falls on both sides alike.
      if (i % 2 === 0) {
        await revokeSmall();
        await sleep(10);
        await revokeBig(i);
      } else {
        await revokeBig(i);
        await sleep(10);
        await revokeSmall();
      }
      await sleep(10);
    }
    const [bigDelay, smallDelay] = await Promise.all([big.call<LoopDelay>('loopDelay'), base.call<LoopDelay>('loopDelay')]);
    for (const [name, d] of [[`${N} sockets`, bigDelay], [`${small} sockets`, smallDelay]] as const) {
      detail(`revocation: server with ${name}: event-loop delay p99 ${ms(d.p99)}, max ${ms(d.max)}; GC pauses ${d.gc.count} (${d.gc.totalMs.toFixed(0)} ms, longest ${ms(d.gc.maxMs)})`);
    }
    await checkSwarm(swarm);
    const noticeMissing = [...smallTimes, ...bigTimes].filter((t) => !t.sawNotice).length;
    if (noticeMissing > 0) detail(`revocation: ${noticeMissing} sockets closed without their REVOKED notice first`);
    const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
    const line = (name: string, list: Timing[]) => {
      const a = sorted(list.map((x) => x.fromResponse));
      const b = sorted(list.map((x) => x.fromSend));
      detail(`${name}: response→close p50 ${ms(percentile(a, 50))}, p90 ${ms(percentile(a, 90))}, p99 ${ms(percentile(a, 99))}, max ${ms(a[a.length - 1])}; send→close p50 ${ms(percentile(b, 50))}, p99 ${ms(percentile(b, 99))} (${a.length} revocations)`);
      return percentile(a, 99);
    };
    const p99Small = line(`revocation with ${small} sockets open`, smallTimes);
    const p99Big = line(`revocation with ${N} sockets open`, bigTimes);
    const r = p99Big / p99Small;
    rows.push({ scenario: `3 revoke→4401 p99, ${N} vs ${small} sockets`, gatehouse: ms(p99Big), baseline: ms(p99Small), ratio: r, target: '≤ 1.5×', pass: r <= 1.5 });
  } finally {
    await Promise.all([swarm.stop(), big.stop(), base.stop()]);
  }
}

// ── Scenario 4: jobEvents POSTED to N subscribers vs a raw `ws` broadcast of the same bytes ────────────────
const JOB_EVENTS = 'subscription { jobEvents { type job { id title location employmentType } } }';
const CREATE_JOB = 'mutation($input: JobInput!) { createJob(input: $input) { id } }';
const marker = (n: number) => `bench-mark-${String(n).padStart(6, '0')}`;

async function scenarioBroadcast() {
  const N = P.broadcastSockets;
  log(`scenario 4: jobEvents POSTED to ${N} subscribers vs raw ws broadcast`);
  checkFdLimit(2 * N);
  const [gh, raw, swarm] = await Promise.all([
    startServer('gatehouse', 'gatehouse.ts', WS_ENV),
    startChild('raw-ws', join('servers', 'raw-ws.ts')),
    startChild('swarm', join('clients', 'swarm.ts')),
  ]);
  try {
    const [subscribers, [employer]] = await Promise.all([seed(gh, 'listener', N), seed(gh, 'employer', 1, 'EMPLOYER')]);
    const opened = await swarm.call<{ ms: number }>(
      'open',
      { group: 'gh', wsUrl: gh.wsUrl, protocol: 'graphql-ws', query: JOB_EVENTS, items: subscribers.map((u) => ({ key: u.sessionId, token: u.token })) },
      300_000,
    );
    log(`opened ${N} jobEvents subscriptions in ${(opened.ms / 1000).toFixed(1)} s`);
    const rawWsUrl = raw.wsUrl.replace(/\/broadcast$/, '/ws');
    await swarm.call('open', { group: 'raw', wsUrl: rawWsUrl, protocol: 'raw', items: subscribers.map((_, i) => ({ key: String(i) })) }, 300_000);
    await waitFor('jobEvents subscriptions', async () => ((await gh.call<{ listeners: Record<string, number> }>('stats')).listeners.jobs ?? 0) >= N);
    await waitFor('raw sockets', async () => (await raw.call<{ clients: number }>('stats')).clients >= N);
    await sleep(500);

    let n = 0;
    type Round = { sendToLast: number; responseToLast: number; sendToMedian: number; responseAfterSend: number; sample: string };
    const ghRound = () => {
      const m = marker(++n);
      const body = JSON.stringify({
        query: CREATE_JOB,
        variables: { input: { title: `Stage hand ${m}`, description: 'Load-in and strike for a touring show.', location: 'Leeds', employmentType: 'CONTRACT', salaryMin: 100, salaryMax: 200 } },
      });
      return swarm.call<Round>('broadcast', { group: 'gh', url: gh.url, body, headers: { authorization: `Bearer ${employer.token}` }, marker: m }, 120_000);
    };
    // The raw server sends exactly what a Gatehouse subscriber received, with its own marker.
    const warm = await ghRound();
    const template = warm.sample;
    const warmMarker = marker(n);
    if (!template.includes(warmMarker)) throw new Error(`unexpected jobEvents message: ${template.slice(0, 300)}`);
    const rawRound = () => {
      const m = marker(++n);
      return swarm.call<Round>('broadcast', { group: 'raw', url: raw.url, body: template.replace(warmMarker, m), marker: m }, 120_000);
    };
    await rawRound();
    const ghRounds: Round[] = [];
    const rawRounds: Round[] = [];
    // Each server's CPU time over its rounds (trigger request, deliveries, and the idle sockets' upkeep).
    const cpu = { gh: 0, raw: 0 };
    const timed = async (side: 'gh' | 'raw', pid: number, round: () => Promise<Round>) => {
      const before = cpuMsOf(pid);
      const result = await round();
      const after = cpuMsOf(pid);
      if (before !== null && after !== null) cpu[side] += after - before;
      return result;
    };
    for (let i = 0; i < P.broadcastRounds; i++) {
      await sleep(200);
      ghRounds.push(await timed('gh', gh.pid, ghRound));
      await sleep(200);
      rawRounds.push(await timed('raw', raw.pid, rawRound));
    }
    await checkSwarm(swarm);
    const stat = (list: Round[], key: keyof Omit<Round, 'sample'>) => {
      const v = list.map((r) => r[key]).sort((a, b) => a - b);
      return { median: v[Math.floor((v.length - 1) / 2)], max: v[v.length - 1], all: v };
    };
    const summary = (name: string, list: Round[]) => {
      const last = stat(list, 'sendToLast');
      const resp = stat(list, 'responseToLast');
      const mid = stat(list, 'sendToMedian');
      const trig = stat(list, 'responseAfterSend');
      detail(
        `${name}: trigger send→last delivery median ${ms(last.median)}, max ${ms(last.max)} [${last.all.map((x) => x.toFixed(1)).join(', ')}]; ` +
          `send→median socket ${ms(mid.median)}; trigger response after ${ms(trig.median)}; response→last ${ms(resp.median)} (${list.length} rounds, ${template.length}-byte message)`,
      );
      return last;
    };
    const g = summary(`jobEvents POSTED to ${N} graphql-ws subscribers (createJob)`, ghRounds);
    const b = summary(`raw ws broadcast of the same message to ${N} sockets`, rawRounds);
    const perDelivery = (cpuMs: number) => `${((cpuMs * 1000) / (P.broadcastRounds * N)).toFixed(1)} µs`;
    detail(`server CPU per delivery: Gatehouse ${perDelivery(cpu.gh)} (createJob included), raw ws ${perDelivery(cpu.raw)} (its trigger included) = ${(cpu.gh / cpu.raw).toFixed(2)}×`);
    const r = g.median / b.median;
    rows.push({ scenario: `4 broadcast to ${N} sockets, send→last delivery (median of ${P.broadcastRounds})`, gatehouse: ms(g.median), baseline: ms(b.median), ratio: r, target: '≤ 2×', pass: r <= 2 });
  } finally {
    await Promise.all([swarm.stop(), gh.stop(), raw.stop()]);
  }
}

// ── Scenario 5: RSS per idle authenticated socket with one subscription ───────────────────────────────────
type Mem = { rss: number; heapUsed: number; external: number };

async function scenarioMemory() {
  const N = P.memorySockets;
  const W = P.memoryWarmSockets;
  log(`scenario 5: memory per idle subscribed socket at ${N} sockets`);
  checkFdLimit(2 * (N + W));
  const [gh, raw, swarm] = await Promise.all([
    startServer('gatehouse', 'gatehouse.ts', WS_ENV, { nodeArgs: ['--expose-gc'] }),
    startChild('raw-ws', join('servers', 'raw-ws.ts'), { nodeArgs: ['--expose-gc'] }),
    startChild('swarm', join('clients', 'swarm.ts')),
  ]);
  try {
    const users = await seed(gh, 'idle', N + W);
    const items = users.map((u) => ({ key: u.sessionId, token: u.token }));
    const rawWsUrl = raw.wsUrl.replace(/\/broadcast$/, '/ws');
    const ghOpen = async (list: typeof items) => {
      await swarm.call('open', { group: 'idle', wsUrl: gh.wsUrl, protocol: 'graphql-ws', query: SESSION_EVENTS, items: list }, 300_000);
    };
    const ghLive = async (n: number) => {
      const s = await gh.call<{ sessionSockets: number; listeners: Record<string, number> }>('stats');
      return s.sessionSockets >= n && (s.listeners['user:sessions'] ?? 0) >= n;
    };
    // Warm-up sockets first (code paths compiled, pools grown), then the marginal cost of N more.
    await ghOpen(items.slice(0, W));
    await waitFor('warm-up subscriptions', () => ghLive(W));
    await sleep(P.settleMs);
    const g1 = await gh.call<Mem>('memory');
    // BENCH_HEAP_SNAPSHOT=<dir>: V8 heap snapshots after the warm-up and with every socket open, for
    // bench/tools/heap-diff.mjs (diagnosis only: writing them moves the RSS numbers).
    const snapshot = async (name: string) => {
      if (!process.env.BENCH_HEAP_SNAPSHOT) return;
      detail(`heap snapshot: ${await gh.call<string>('heapSnapshot', { path: join(process.env.BENCH_HEAP_SNAPSHOT, name) }, 600_000)}`);
    };
    await snapshot(`gatehouse-${W}-sockets.heapsnapshot`);
    await ghOpen(items.slice(W));
    await waitFor('idle subscriptions', () => ghLive(N + W));
    await sleep(P.settleMs);
    const g2 = await gh.call<Mem>('memory');
    await snapshot(`gatehouse-${N + W}-sockets.heapsnapshot`);

    const rawOpen = (from: number, to: number) =>
      swarm.call('open', { group: 'raw', wsUrl: rawWsUrl, protocol: 'raw', items: Array.from({ length: to - from }, (_, i) => ({ key: String(from + i) })) }, 300_000);
    const rawLive = async (n: number) => (await raw.call<{ clients: number }>('stats')).clients >= n;
    await rawOpen(0, W);
    await waitFor('raw warm-up sockets', () => rawLive(W));
    await sleep(P.settleMs);
    const r1 = await raw.call<Mem>('memory');
    await rawOpen(W, W + N);
    await waitFor('raw sockets', () => rawLive(N + W));
    await sleep(P.settleMs);
    const r2 = await raw.call<Mem>('memory');

    await checkSwarm(swarm);
    const per = (a: Mem, b: Mem) => ({ rss: (b.rss - a.rss) / N, heap: (b.heapUsed - a.heapUsed) / N, external: (b.external - a.external) / N });
    const g = per(g1, g2);
    const b = per(r1, r2);
    detail(`gatehouse, ${N} idle graphql-ws sockets with one sessionEvents subscription each (after ${W} warm-up): RSS ${mb(g1.rss)} → ${mb(g2.rss)} = ${kb(g.rss)}/socket; V8 heap ${kb(g.heap)}/socket; external ${kb(g.external)}/socket`);
    detail(`raw ws server, ${N} idle sockets (after ${W} warm-up): RSS ${mb(r1.rss)} → ${mb(r2.rss)} = ${kb(b.rss)}/socket; V8 heap ${kb(b.heap)}/socket`);
    rows.push({ scenario: `5 RSS per idle subscribed socket at ${N} sockets (baseline: raw ws)`, gatehouse: kb(g.rss), baseline: kb(b.rss), ratio: g.rss / b.rss, target: '≤ 25 KB', pass: g.rss <= 25 * 1024 });
  } finally {
    await Promise.all([swarm.stop(), gh.stop(), raw.stop()]);
  }
}

// ── Scenario 6: sign-in throughput (argon2id) and `me` p99 during a sign-in flood ─────────────────────
/** The Gatehouse child's event-loop delay since the last `loopDelay` call, in ms. */
type LoopDelay = { p50: number; p99: number; max: number; gc: { count: number; totalMs: number; maxMs: number } };

/** Reports the server's event-loop delay per slice, at rest and under load: a stall in the server, or contention outside it. */
function loopDelays(rest: LoopDelay[], loaded: LoopDelay[], underLoad: string) {
  for (const [what, list] of [['at rest', rest], [underLoad, loaded]] as const) {
    detail(
      `server event-loop delay ${what}: p99 ${list.map((d) => ms(d.p99)).join(' / ')}, max ${list.map((d) => ms(d.max)).join(' / ')}; ` +
        `GC pauses ${list.map((d) => `${d.gc.count} (${d.gc.totalMs.toFixed(0)} ms, longest ${ms(d.gc.maxMs)})`).join(' / ')} (per slice)`,
    );
  }
}

async function scenarioSignIn() {
  log('scenario 6: sign-in flood');
  const gh = await startServer('gatehouse', 'gatehouse.ts', {
    SIGNUP_RATE_LIMIT: 'off',
    MAX_SESSIONS_PER_USER: '1000',
    DEVICE_LIMIT_POLICY: 'evict-oldest',
  });
  try {
    const users = await signUpMany(gh.url, 'signin', P.signInUsers);
    const [meUser] = await signUpMany(gh.url, 'watcher', 1);
    const meOpts = meLoad(gh, meUser.token, { concurrency: 20, ratePerSec: P.meRate });
    let k = 0;
    const signInOpts = {
      url: gh.url,
      body: () => JSON.stringify({ query: SIGN_IN, variables: { input: { email: `signin-${k++ % P.signInUsers}@bench.test`, password: PASSWORD } } }),
      concurrency: P.signInConcurrency,
      check: (b: string) => b.includes('"token"'),
    };
    await runLoad({ ...signInOpts, durationMs: P.warmMs });
    await runLoad({ ...meOpts, durationMs: P.warmMs });
    // Rest and flood alternate in P.rounds slices, as every other comparison here does, so a change in
    // the host's speed during the run falls on both sides alike.
    const restRuns: LoadResult[] = [];
    const floodRuns: LoadResult[] = [];
    const duringRuns: LoadResult[] = [];
    const delays: { rest: LoopDelay[]; flood: LoopDelay[] } = { rest: [], flood: [] };
    const slice = P.durMs / P.rounds;
    for (let i = 0; i < P.rounds; i++) {
      await gh.call('loopDelay');
      restRuns.push(await runLoad({ ...meOpts, durationMs: slice }));
      delays.rest.push(await gh.call<LoopDelay>('loopDelay'));
      const [flood, during] = await Promise.all([runLoad({ ...signInOpts, durationMs: slice }), runLoad({ ...meOpts, durationMs: slice })]);
      floodRuns.push(flood);
      duringRuns.push(during);
      delays.flood.push(await gh.call<LoopDelay>('loopDelay'));
    }
    const [rest, flood, during] = [merge(restRuns), merge(floodRuns), merge(duringRuns)];
    describe(`me at rest (${P.meRate} req/s paced)`, rest);
    describe(`signIn flood (c=${P.signInConcurrency}, ${P.signInUsers} users)`, flood);
    describe(`me during sign-in flood (${P.meRate} req/s paced)`, during);
    loopDelays(delays.rest, delays.flood, 'during the flood');
    rows.push({ scenario: '6a sign-ins/s (argon2id m=19456 t=2 p=1)', gatehouse: `${flood.rps.toFixed(1)} /s`, baseline: '—', ratio: null, target: '≥ 40/s', pass: flood.rps >= 40 });
    const r = during.p99 / rest.p99;
    rows.push({ scenario: '6b `me` p99 during sign-in flood vs at rest', gatehouse: ms(during.p99), baseline: ms(rest.p99), ratio: r, target: '≤ 2×', pass: r <= 2 });
  } finally {
    await gh.stop();
  }
}

// ── Scenario 7: `me` p99 while the portal keeper sweeps N portal sessions vs at rest ──────────────────
async function scenarioKeeper() {
  const N = P.portalSessions;
  log(`scenario 7: me p99 during keeper sweeps over ${N} portal sessions`);
  // The keeper's own timer never fires (24h); the bench drives sweeps back to back (sweepLoop).
  const [gh, portal] = await Promise.all([startServer('gatehouse', 'gatehouse.ts', { PORTAL_KEEPER_TICK: '24h' }), startChild('portal', join('servers', 'portal.ts'))]);
  try {
    const upstream = await portal.call<Record<string, unknown>>('info');
    const t = performance.now();
    await gh.call('seedPortal', { ...upstream, count: N });
    log(`seeded ${N} keep-alive portal sessions in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const [meUser] = await seed(gh, 'keeper-me', 1);
    const meOpts = () => meLoad(gh, meUser.token, { concurrency: 20, ratePerSec: P.meRate });
    await runLoad({ ...meOpts(), durationMs: P.warmMs });
    // One sweep before measuring, so both sides run warm code.
    await gh.call('sweepLoop', { action: 'start' });
    await sleep(quick ? 300 : 1000);
    await gh.call('sweepLoop', { action: 'stop' }, 300_000);
    const restRuns: Measured[] = [];
    const sweepRuns: Measured[] = [];
    // The server's own event-loop delay per slice: a stall in the server, or contention outside it.
    const delays: { rest: LoopDelay[]; sweeping: LoopDelay[] } = { rest: [], sweeping: [] };
    type Tally = { sweeps: number; cutShort: number; ms: number; refreshed: number; unavailable: number; failed: number; durationsMs: number[] };
    const tallies: Tally[] = [];
    const slice = P.durMs / P.rounds;
    for (let i = 0; i < P.rounds; i++) {
      await gh.call('loopDelay');
      restRuns.push(await measured({ ...meOpts(), durationMs: slice }, gh.pid));
      delays.rest.push(await gh.call<LoopDelay>('loopDelay'));
      await gh.call('sweepLoop', { action: 'start' });
      sweepRuns.push(await measured({ ...meOpts(), durationMs: slice }, gh.pid));
      delays.sweeping.push(await gh.call<LoopDelay>('loopDelay'));
      tallies.push(await gh.call<Tally>('sweepLoop', { action: 'stop' }, 300_000));
    }
    const cpuSum = (list: Measured[]) => (list.every((r) => r.cpuMs !== undefined) ? list.reduce((sum, r) => sum + r.cpuMs!, 0) : undefined);
    const rest: Measured = { ...merge(restRuns), cpuMs: cpuSum(restRuns) };
    const during: Measured = { ...merge(sweepRuns), cpuMs: cpuSum(sweepRuns) };
    describe(`me at rest (${P.meRate} req/s paced)`, rest);
    describe(`me during keeper sweeps (${P.meRate} req/s paced)`, during);
    loopDelays(delays.rest, delays.sweeping, 'while sweeping');
    const durations = tallies.flatMap((x) => x.durationsMs).sort((a, b) => a - b);
    const refreshed = tallies.reduce((s, x) => s + x.refreshed, 0);
    const sweepingMs = tallies.reduce((s, x) => s + x.ms, 0);
    const problems = tallies.reduce((s, x) => s + x.unavailable + x.failed, 0);
    const info = await portal.call<{ keepAlives: number }>('info');
    const rate = refreshed / (sweepingMs / 1000);
    detail(
      `keeper: sweeps back to back while measuring: ${durations.length} finished, ${tallies.reduce((s, x) => s + x.cutShort, 0)} cut short at the end of a slice; ` +
        `${refreshed} portal sessions refreshed in ${(sweepingMs / 1000).toFixed(1)} s = ${rate.toFixed(0)}/s, so a sweep of ${N} takes ~${(N / rate).toFixed(1)} s` +
        `${durations.length ? ` (finished ones: median ${(durations[Math.floor((durations.length - 1) / 2)] / 1000).toFixed(2)} s)` : ''}; ` +
        `${problems} unavailable/failed; upstream keep-alive calls ${info.keepAlives}`,
    );
    if (rest.cpuMs !== undefined && during.cpuMs !== undefined && refreshed > 0) {
      // The server's CPU while sweeping, less what the same `me` load cost at rest, per refreshed session.
      const keeperCpuMs = during.cpuMs - (rest.cpuMs / rest.requests) * during.requests;
      // A quick run refreshes a few dozen sessions: the difference is then within the noise, even below zero.
      const perRefresh = keeperCpuMs > 0 ? `~${(keeperCpuMs / refreshed).toFixed(3)} ms of server CPU per refreshed session` : 'too few refreshes to tell the CPU per refresh';
      detail(`keeper: server CPU while sweeping ${(during.cpuMs / ((sweepingMs / 1000) * 10)).toFixed(0)}% of a core; ${perRefresh}`);
    }
    if (problems > 0) throw new Error(`keeper: ${problems} refreshes failed against the local portal`);
    const r = during.p99 / rest.p99;
    rows.push({ scenario: `7 \`me\` p99 during keeper sweeps over ${N} portal sessions vs at rest`, gatehouse: ms(during.p99), baseline: ms(rest.p99), ratio: r, target: '≤ 1.3×', pass: r <= 1.3 });
  } finally {
    await Promise.all([gh.stop(), portal.stop()]);
  }
}

function table(): string {
  const head = ['Scenario', 'Gatehouse', 'Baseline', 'Ratio', 'Target', quick ? 'Result (quick: not asserted)' : 'Result'];
  const body = rows.map((r) => [r.scenario, r.gatehouse, r.baseline, r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`, r.target, r.pass === null ? '—' : r.pass ? 'pass' : 'MISS']);
  return [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} (os.cpus), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}`;
}

let failed = false;
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: stopping servers`);
  void stopAll().then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
watchLauncher(() => onSignal('SIGHUP'));

/**
 * `npm run bench` starts us as npm → sh → tsx → node. On SIGTERM npm signals `sh`, which dies without
 * passing it on, and tsx and this process would carry on as orphans. So: stop as on a signal when our
 * parent or its parent changes (Linux /proc; elsewhere only our own parent is watched).
 */
function watchLauncher(stop: () => void) {
  const parentOf = (pid: number): number | null => {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return null;
    }
  };
  const ppid = process.ppid;
  const grandparent = parentOf(ppid);
  setInterval(() => {
    if (process.ppid !== ppid || (grandparent !== null && parentOf(ppid) !== grandparent)) stop();
  }, 500).unref();
}
const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
try {
  const started = Date.now();
  const loadAtStart = loadAverage();
  const scenarios: [string, () => Promise<void>][] = [
    ['1', scenarioBaseline],
    ['2', scenarioPeer],
    ['3', scenarioRevocation],
    ['4', scenarioBroadcast],
    ['5', scenarioMemory],
    ['6', scenarioSignIn],
    ['7', scenarioKeeper],
  ];
  for (const [n, run] of scenarios) {
    if (!wanted(n)) continue;
    const t = Date.now();
    await run();
    log(`scenario ${n} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const out = table();
  // Other work on the machine shows up here (1 / 5 / 15-minute load averages; 2 cores = 2.00 is full).
  const load = `load average ${loadAtStart} at the start, ${loadAverage()} at the end`;
  console.log(`\nGatehouse bench (${quick ? 'quick' : 'full'}) — ${machine()}; ${load}\n\n${out}\n\n${details.map((d) => `- ${d}`).join('\n')}\n`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (!quick && !only && !process.env.BENCH_PARAMS) {
    const md = `# Gatehouse bench — last full run

Date: ${new Date().toISOString()}
Machine: ${machine()}
Load: ${load} (1 / 5 / 15 min; other work on the machine moves the numbers)
Duration: ${((Date.now() - started) / 1000).toFixed(0)} s
Processes: every server in its own child process on 127.0.0.1; the HTTP load generator (bench/load.ts, node:http
keep-alive) in the bench process; the WebSocket clients of scenarios 3–5 in one more child (bench/clients/swarm.ts).
All share the machine's cores. Throughput and latency comparisons alternate the two sides in ${P.rounds} slices.
Parameters: ${JSON.stringify(P)}

${out}

## Absolute numbers

${details.map((d) => `- ${d}`).join('\n')}

See bench/README.md for what each scenario measures and what was found where a target is missed.
`;
    writeFileSync(join(here, 'results.md'), md);
    log('wrote bench/results.md');
  }
} catch (error) {
  failed = true;
  // After a signal the children are being stopped on purpose; their "exited early" is no news.
  if (!interrupted) console.error(error instanceof Error ? error.stack : error);
} finally {
  await stopAll();
}
process.exit(failed ? 1 : 0);
