// `npm run bench:timing` (npx tsx bench/signin-timing.ts [--samples=300] [--max-seconds=240]):
// does a wrong password for a known email take as long as any password for an unknown one?
//
// Starts the real Gatehouse in a child process on 127.0.0.1 (bench/servers/gatehouse.ts, with the
// sign-in locks off so they do not answer early), signs up one user, then sends `samples` sign-ins of
// each kind one at a time, in pairs whose order is random, and times each round trip on the client,
// as an attacker would. Reports median, p10/p90, mean and a Mann–Whitney U test with a bootstrap
// confidence interval of the median difference. Bounded in count and time; stops the server itself.
//
// `measureSignInTiming(url)` is exported for the bench runner: it needs a server started with
// SIGNIN_TIMING_ENV.
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startServer, stopAll } from './lib/proc.js';

/** What the measured server needs: no locks, so every wrong password reaches argon2. */
export const SIGNIN_TIMING_ENV: Record<string, string> = {
  SIGNIN_LOCK_THRESHOLD: '0',
  SIGNIN_IP_LOCK_THRESHOLD: '0',
};

export interface TimingOptions {
  /** Sign-ins of each kind (default 300). */
  samples?: number;
  /** Unmeasured sign-ins of each kind first (default 20; the first unknown email hashes the dummy). */
  warmup?: number;
  /** Stops measuring after this long, with what it has (default 240 s). */
  maxMs?: number;
  log?: (message: string) => void;
}

export interface Summary {
  n: number;
  median: number;
  p10: number;
  p90: number;
  mean: number;
  sd: number;
}

export interface SignInTimingResult {
  known: Summary;
  unknown: Summary;
  /** known − unknown, in ms. */
  medianDifference: number;
  /** 95% bootstrap confidence interval of the median difference, in ms. */
  medianDifferenceCi: [number, number];
  mannWhitney: { u: number; z: number; p: number };
  /** True when the test finds no difference at the 5% level and the interval includes 0. */
  withinNoise: boolean;
  seconds: number;
  /** Samples are complete (false when maxMs cut the run short). */
  complete: boolean;
}

const PASSWORD = 'Timing-pass-4411-ember';
const WRONG = 'Wrong-pass-9035-cinder';
const KNOWN_EMAIL = 'timing-known@bench.test';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { __typename } }';

/**
 * Measures sign-in round trips against `url` (a Gatehouse started with SIGNIN_TIMING_ENV): a wrong
 * password for a known email vs a password for an unknown email, interleaved in random order.
 */
export async function measureSignInTiming(url: string, options: TimingOptions = {}): Promise<SignInTimingResult> {
  const samples = options.samples ?? 300;
  const warmup = options.warmup ?? 20;
  const maxMs = options.maxMs ?? 240_000;
  const log = options.log ?? (() => undefined);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const post = (body: unknown) => postJson(agent, url, JSON.stringify(body));
    const signUp = await post({
      query: 'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
      variables: { input: { email: KNOWN_EMAIL, password: PASSWORD, name: 'Timing' } },
    });
    if (!signUp.body.includes('"user":{"id"')) throw new Error(`sign-up failed: ${signUp.body}`);

    let unknownCount = 0;
    /** One sign-in; resolves its round trip in ms. Both must answer INVALID_CREDENTIALS. */
    const attempt = async (kind: 'known' | 'unknown') => {
      const email = kind === 'known' ? KNOWN_EMAIL : `timing-unknown-${++unknownCount}@bench.test`;
      const started = performance.now();
      const answer = await post({ query: SIGN_IN, variables: { input: { email, password: WRONG } } });
      const ms = performance.now() - started;
      if (!answer.body.includes('"INVALID_CREDENTIALS"')) throw new Error(`${kind} sign-in did not fail as expected: ${answer.body}`);
      return ms;
    };

    for (let i = 0; i < warmup; i++) {
      await attempt('unknown');
      await attempt('known');
    }
    const known: number[] = [];
    const unknown: number[] = [];
    const started = performance.now();
    let complete = true;
    for (let i = 0; i < samples; i++) {
      if (performance.now() - started > maxMs) {
        complete = false;
        log(`stopped after ${i} pairs (max ${Math.round(maxMs / 1000)} s)`);
        break;
      }
      // Each pair in a random order, so drift over the run (other load, GC) hits both kinds alike.
      const order: ('known' | 'unknown')[] = randomInt(2) === 0 ? ['known', 'unknown'] : ['unknown', 'known'];
      for (const kind of order) (kind === 'known' ? known : unknown).push(await attempt(kind));
      if ((i + 1) % 50 === 0) log(`${i + 1}/${samples} pairs`);
    }
    const seconds = (performance.now() - started) / 1000;
    return analyse(known, unknown, seconds, complete);
  } finally {
    agent.destroy();
  }
}

/** Summaries, the Mann–Whitney U test and a bootstrap interval of the median difference. */
export function analyse(known: number[], unknown: number[], seconds = 0, complete = true): SignInTimingResult {
  const medianDifference = median(known) - median(unknown);
  const ci = bootstrapMedianDifference(known, unknown, 2000);
  const mannWhitney = mannWhitneyU(known, unknown);
  return {
    known: summarize(known),
    unknown: summarize(unknown),
    medianDifference,
    medianDifferenceCi: ci,
    mannWhitney,
    withinNoise: mannWhitney.p >= 0.05 && ci[0] <= 0 && ci[1] >= 0,
    seconds,
    complete,
  };
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { n: values.length, median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), mean, sd };
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Two-sided Mann–Whitney U test, normal approximation with tie correction (fine for n ≥ 20 per group). */
export function mannWhitneyU(a: number[], b: number[]): { u: number; z: number; p: number } {
  const all = [...a.map((value) => ({ value, group: 0 })), ...b.map((value) => ({ value, group: 1 }))].sort((x, y) => x.value - y.value);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].value === all[i].value) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const rankSumA = all.reduce((sum, item, i) => (item.group === 0 ? sum + ranks[i] : sum), 0);
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const z = variance > 0 ? (u - mean) / Math.sqrt(variance) : 0;
  return { u, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** 95% percentile-bootstrap interval of median(a) − median(b). */
function bootstrapMedianDifference(a: number[], b: number[], rounds: number): [number, number] {
  const resample = (values: number[]) => values.map(() => values[randomInt(values.length)]);
  const differences = Array.from({ length: rounds }, () => median(resample(a)) - median(resample(b))).sort((x, y) => x - y);
  return [quantile(differences, 0.025), quantile(differences, 0.975)];
}

function postJson(agent: http.Agent, url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 30_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('sign-in request timed out after 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}

/** The result as the lines the README quotes. */
export function formatTiming(r: SignInTimingResult): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const row = (name: string, s: Summary) =>
    `| ${name} | ${s.n} | ${ms(s.median)} | ${ms(s.p10)} | ${ms(s.p90)} | ${ms(s.mean)} | ${ms(s.sd)} |`;
  return [
    '| Sign-in (wrong password) | n | median | p10 | p90 | mean | sd |',
    '|---|---|---|---|---|---|---|',
    row('known email', r.known),
    row('unknown email', r.unknown),
    '',
    `median difference (known − unknown): ${ms(r.medianDifference)}, 95% bootstrap CI [${ms(r.medianDifferenceCi[0])}, ${ms(r.medianDifferenceCi[1])}]`,
    `Mann–Whitney U = ${r.mannWhitney.u.toFixed(0)}, z = ${r.mannWhitney.z.toFixed(2)}, p = ${r.mannWhitney.p.toFixed(3)} (two-sided)`,
    r.withinNoise
      ? 'verdict: no difference detectable: within noise at the 5% level.'
      : 'verdict: the two kinds differ measurably (p < 0.05 or the interval excludes 0).',
    `${r.known.n + r.unknown.n} sign-ins in ${r.seconds.toFixed(1)} s${r.complete ? '' : ' (cut short by --max-seconds)'}`,
  ].join('\n');
}

async function main() {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const samples = Number(arg('samples') ?? 300);
  const maxSeconds = Number(arg('max-seconds') ?? 240);
  if (!Number.isInteger(samples) || samples < 20 || samples > 5000) throw new Error('--samples must be a whole number from 20 to 5000');
  if (!(maxSeconds > 0 && maxSeconds <= 3600)) throw new Error('--max-seconds must be from 1 to 3600');
  const log = (message: string) => process.stderr.write(`[timing] ${message}\n`);
  const stopOnSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  // A hard stop in case anything hangs: the server is killed with us (bench/lib/proc.ts).
  const watchdog = setTimeout(() => {
    log(`gave up after ${maxSeconds + 60} s`);
    void stopAll().finally(() => process.exit(1));
  }, (maxSeconds + 60) * 1000);
  watchdog.unref();
  try {
    log('starting Gatehouse (sign-in locks off) on 127.0.0.1');
    const server = await startServer('gatehouse', 'gatehouse.ts', SIGNIN_TIMING_ENV);
    log(`measuring ${samples} + ${samples} sign-ins against ${server.url}`);
    const result = await measureSignInTiming(server.url, { samples, maxMs: maxSeconds * 1000, log });
    process.stdout.write(`${formatTiming(result)}\n`);
  } finally {
    await stopAll();
    clearTimeout(watchdog);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`[timing] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    void stopAll().finally(() => process.exit(1));
  });
}
