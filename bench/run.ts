// `npm run bench` / `npm run bench:quick`: starts real servers on 127.0.0.1 in child processes, drives them,
// and prints one table of Gatehouse-vs-baseline ratios. The full run writes bench/results.md.
// --quick runs every scenario briefly and asserts nothing about speed (exit 0 unless something crashed).
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { runLoad, gqlPost, percentile, type LoadResult } from './load.js';
import { startServer, stopAll, type ServerHandle } from './lib/proc.js';

const quick = process.argv.includes('--quick');
/** `--only=1,3` runs a subset (for profiling); results.md is written only by a full run of every scenario. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? null;
const wanted = (n: string) => !only || only.includes(n);
const here = dirname(fileURLToPath(import.meta.url));
const P = {
  warmMs: quick ? 500 : 3000,
  durMs: quick ? 2000 : 10_000,
  concurrency: 10,
  signInUsers: quick ? 2 : 4,
  signInConcurrency: 8,
  meRate: 100,
  wsN: quick ? 50 : 500,
  wsBaseline: 10,
  revokes: quick ? 10 : 50,
};

const ADMIN_EMAIL = 'bench-admin@example.test';
const PASSWORD = 'Bench-pass-7319-quartz';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const ms = (v: number) => `${v.toFixed(2)} ms`;

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

function describe(name: string, r: LoadResult) {
  const line = `${name}: ${r.requests} req in ${r.seconds.toFixed(1)} s = ${r.rps.toFixed(0)} req/s, p50 ${ms(r.p50)}, p90 ${ms(r.p90)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, errors ${r.errors}`;
  details.push(line);
  log(line);
  if (r.errors > 0) throw new Error(`${name}: ${r.errors} failed requests; first: ${r.firstError}`);
}

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

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { token session { id } user { id } } }';
const SIGN_IN =
  'mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { token session { id } } } }';
type SignUpData = { signUp: { token: string; session: { id: string }; user: { id: string } } };

async function signUpMany(url: string, prefix: string, count: number, concurrency = 4) {
  return pool(count, concurrency, async (i) =>
    (await gqlPost<SignUpData>(url, SIGN_UP, { input: { email: `${prefix}-${i}@bench.test`, password: PASSWORD, name: `${prefix} ${i}` } })).signUp,
  );
}

const meBody = JSON.stringify({ query: '{ me { id } }' });
const meCheck = (b: string) => b.includes('"me":{"id"');

// ── Scenario 1: authenticated `me` vs bare yoga `{ hello }` ──────────────────────────────────────────────
async function scenarioBaseline() {
  log('scenario 1: me vs bare yoga');
  const bare = await startServer('bare-yoga', 'bare-yoga.ts');
  const gh = await startServer('gatehouse', 'gatehouse.ts', { SIGNUP_RATE_LIMIT: 'off' });
  try {
    const [user] = await signUpMany(gh.url, 'me', 1);
    const helloBody = JSON.stringify({ query: '{ hello }' });
    const bareOpts = { url: bare.url, body: helloBody, concurrency: P.concurrency, check: (b: string) => b.includes('"hello":"world"') };
    const ghOpts = { url: gh.url, body: meBody, headers: { authorization: `Bearer ${user.token}` }, concurrency: P.concurrency, check: meCheck };
    await runLoad({ ...bareOpts, durationMs: P.warmMs });
    await runLoad({ ...ghOpts, durationMs: P.warmMs });
    const b = await runLoad({ ...bareOpts, durationMs: P.durMs });
    describe(`bare yoga { hello } (c=${P.concurrency})`, b);
    const g = await runLoad({ ...ghOpts, durationMs: P.durMs });
    describe(`gatehouse { me { id } } (c=${P.concurrency})`, g);
    const tr = g.rps / b.rps;
    const pr = g.p99 / b.p99;
    rows.push({ scenario: '1a `me` throughput vs bare yoga', gatehouse: `${g.rps.toFixed(0)} req/s`, baseline: `${b.rps.toFixed(0)} req/s`, ratio: tr, target: '≥ 0.85×', pass: tr >= 0.85 });
    rows.push({ scenario: '1b `me` p99 vs bare yoga', gatehouse: ms(g.p99), baseline: ms(b.p99), ratio: pr, target: '≤ 1.5×', pass: pr <= 1.5 });
  } finally {
    await Promise.all([bare.stop(), gh.stop()]);
  }
}

// ── Scenario 2: sign-in throughput (argon2id) and `me` p99 during a sign-in flood ─────────────────────
async function scenarioSignIn() {
  log('scenario 2: sign-in flood');
  const gh = await startServer('gatehouse', 'gatehouse.ts', {
    SIGNUP_RATE_LIMIT: 'off',
    MAX_SESSIONS_PER_USER: '1000',
    DEVICE_LIMIT_POLICY: 'evict-oldest',
  });
  try {
    const users = await signUpMany(gh.url, 'signin', P.signInUsers);
    const [meUser] = await signUpMany(gh.url, 'watcher', 1);
    const meOpts = { url: gh.url, body: meBody, headers: { authorization: `Bearer ${meUser.token}` }, concurrency: 20, ratePerSec: P.meRate, check: meCheck };
    let k = 0;
    const signInOpts = {
      url: gh.url,
      body: () => JSON.stringify({ query: SIGN_IN, variables: { input: { email: `signin-${k++ % P.signInUsers}@bench.test`, password: PASSWORD } } }),
      concurrency: P.signInConcurrency,
      check: (b: string) => b.includes('"token"'),
    };
    await runLoad({ ...signInOpts, durationMs: P.warmMs });
    await runLoad({ ...meOpts, durationMs: P.warmMs });
    const rest = await runLoad({ ...meOpts, durationMs: P.durMs });
    describe(`me at rest (${P.meRate} req/s paced)`, rest);
    const [flood, during] = await Promise.all([
      runLoad({ ...signInOpts, durationMs: P.durMs }),
      runLoad({ ...meOpts, durationMs: P.durMs }),
    ]);
    describe(`signIn flood (c=${P.signInConcurrency}, ${P.signInUsers} users)`, flood);
    describe(`me during sign-in flood (${P.meRate} req/s paced)`, during);
    rows.push({ scenario: '2a sign-ins/s (argon2id)', gatehouse: `${flood.rps.toFixed(1)} /s`, baseline: '—', ratio: null, target: '≥ 40/s', pass: flood.rps >= 40 });
    const r = during.p99 / rest.p99;
    rows.push({ scenario: '2b `me` p99 during flood vs at rest', gatehouse: ms(during.p99), baseline: ms(rest.p99), ratio: r, target: '≤ 2×', pass: r <= 2 });
  } finally {
    await gh.stop();
  }
}

// ── Scenario 3: targeted revocation latency, N idle sockets vs 10 ─────────────────────────────────────
interface Sock {
  client: Client;
  sessionId: string;
  closed: Promise<{ code: number; at: number }>;
}

async function openSocket(wsUrl: string, token: string, sessionId: string): Promise<Sock> {
  let resolveClosed!: (v: { code: number; at: number }) => void;
  const closed = new Promise<{ code: number; at: number }>((r) => (resolveClosed = r));
  let resolveConnected!: () => void;
  let rejectConnected!: (e: Error) => void;
  const connected = new Promise<void>((res, rej) => ((resolveConnected = res), (rejectConnected = rej)));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      connected: () => resolveConnected(),
      closed: (event) => {
        const e = event as { code: number };
        resolveClosed({ code: e.code, at: performance.now() });
        rejectConnected(new Error(`closed before connecting: ${e.code}`));
      },
    },
    onNonLazyError: () => undefined,
  });
  await connected;
  client.subscribe({ query: 'subscription { sessionEvents { type } }' }, { next: () => {}, error: () => {}, complete: () => {} });
  return { client, sessionId, closed };
}

async function revokeAndTime(url: string, adminToken: string, sock: Sock): Promise<{ fromResponse: number; fromSend: number }> {
  const t0 = performance.now();
  await gqlPost(url, 'mutation($id: ID!) { revokeSession(id: $id) { id } }', { id: sock.sessionId }, adminToken);
  const t1 = performance.now();
  const closed = await Promise.race([sock.closed, sleep(5000).then(() => null)]);
  if (!closed) throw new Error(`socket for session ${sock.sessionId} did not close within 5 s of revocation`);
  if (closed.code !== 4401) throw new Error(`socket closed with ${closed.code}, expected 4401`);
  return { fromResponse: closed.at - t1, fromSend: closed.at - t0 };
}

async function scenarioRevocation() {
  log(`scenario 3: revocation with ${P.wsN} vs ${P.wsBaseline} sockets`);
  const gh = await startServer('gatehouse', 'gatehouse.ts', { SIGNUP_RATE_LIMIT: 'off', ADMIN_EMAIL, ADMIN_PASSWORD: PASSWORD });
  const open: Sock[] = [];
  try {
    const admin = await gqlPost<{ signIn: { token: string } }>(gh.url, SIGN_IN, { input: { email: ADMIN_EMAIL, password: PASSWORD } });
    const adminToken = admin.signIn.token;
    const t = performance.now();
    const small = await signUpMany(gh.url, 'ws-small', P.wsBaseline - 1 + P.revokes);
    const big = await signUpMany(gh.url, 'ws-big', P.wsN);
    log(`signed up ${small.length + big.length} users in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Baseline: keep 10 sockets open; each round opens one more, then revokes the oldest.
    const smallTimes: number[] = [];
    const smallSend: number[] = [];
    let cursor = 0;
    for (; cursor < P.wsBaseline - 1; cursor++) open.push(await openSocket(gh.wsUrl, small[cursor].token, small[cursor].session.id));
    for (let i = 0; i < P.revokes; i++, cursor++) {
      open.push(await openSocket(gh.wsUrl, small[cursor].token, small[cursor].session.id));
      await sleep(50);
      const victim = open.shift()!;
      const r = await revokeAndTime(gh.url, adminToken, victim);
      smallTimes.push(r.fromResponse);
      smallSend.push(r.fromSend);
      victim.client.dispose();
      await sleep(20);
    }
    for (const s of open.splice(0)) await s.client.dispose();

    // Many sockets: open N, then revoke `revokes` of them spread across the set.
    const t2 = performance.now();
    const bigSocks = await pool(big.length, 50, (i) => openSocket(gh.wsUrl, big[i].token, big[i].session.id));
    open.push(...bigSocks);
    log(`opened ${bigSocks.length} subscribed sockets in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
    await sleep(1000);
    const bigTimes: number[] = [];
    const bigSend: number[] = [];
    const step = Math.floor(bigSocks.length / P.revokes);
    for (let i = 0; i < P.revokes; i++) {
      const r = await revokeAndTime(gh.url, adminToken, bigSocks[i * step]);
      bigTimes.push(r.fromResponse);
      bigSend.push(r.fromSend);
      await sleep(20);
    }
    const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
    const [sT, bT, sS, bS] = [smallTimes, bigTimes, smallSend, bigSend].map(sorted);
    const line = (name: string, a: number[], b: number[]) =>
      `${name}: response→close p50 ${ms(percentile(a, 50))}, p99 ${ms(percentile(a, 99))}, max ${ms(a[a.length - 1])}; send→close p50 ${ms(percentile(b, 50))}, p99 ${ms(percentile(b, 99))} (${a.length} revocations)`;
    details.push(line(`revocation with ${P.wsBaseline} sockets open`, sT, sS));
    details.push(line(`revocation with ${P.wsN} sockets open`, bT, bS));
    log(details[details.length - 2]);
    log(details[details.length - 1]);
    const p99Big = percentile(bT, 99);
    const p99Small = percentile(sT, 99);
    const r = p99Big / p99Small;
    rows.push({ scenario: `3 revoke→4401 p99, ${P.wsN} vs ${P.wsBaseline} sockets`, gatehouse: ms(p99Big), baseline: ms(p99Small), ratio: r, target: '≤ 1.5×', pass: r <= 1.5 });
  } finally {
    await Promise.all(open.map((s) => s.client.dispose()));
    await gh.stop();
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
const onSignal = () => {
  log('interrupted; stopping servers');
  void stopAll().then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  const started = Date.now();
  if (wanted('1')) await scenarioBaseline();
  if (wanted('2')) await scenarioSignIn();
  if (wanted('3')) await scenarioRevocation();
  const out = table();
  console.log(`\nGatehouse bench (${quick ? 'quick' : 'full'}) — ${machine()}\n\n${out}\n\n${details.map((d) => `- ${d}`).join('\n')}\n`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (!quick && !only) {
    const md = `# Gatehouse bench — last full run

Date: ${new Date().toISOString()}
Machine: ${machine()}
Load generator: bench/load.ts (node:http keep-alive agent) in the bench process; each server in its own child process on 127.0.0.1.
Parameters: ${JSON.stringify(P)}

${out}

## Absolute numbers

${details.map((d) => `- ${d}`).join('\n')}

## Not yet measured (issue 8)

Better Auth get-session peer comparison, jobEvents broadcast to 5,000 sockets vs raw \`ws\`, memory per idle socket at 5,000,
keeper sweep impact on \`me\` p99, and revocation at the issue's full scale (5,000 sockets, 200 revocations).
`;
    writeFileSync(join(here, 'results.md'), md);
    log('wrote bench/results.md');
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.stack : error);
} finally {
  await stopAll();
}
process.exit(failed ? 1 : 0);
