import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/** argon2id parameters, set explicitly (OWASP's second recommended profile). */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, so spelled as its value)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * At most this many argon2 jobs run at once. Hashing runs off the event loop, but each job burns a
 * whole core for ~20 ms; with more jobs than spare cores a sign-in flood starves the main thread
 * and every other request waits (measured: `me` p99 ×11 during a flood on 2 cores with 4 jobs,
 * ×2.5 with 1). One core is always left to the event loop. Process-wide on purpose: it budgets the
 * machine's cores, which every app in the process shares.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

let running = 0;
let started = 0;
const waiting: (() => void)[] = [];

/** How many argon2 jobs (hashes and verifications) this process has started: lets tests see the work done. */
export function argon2JobCount(): number {
  return started;
}

/** Runs `job` when a hashing slot is free; excess sign-ins queue instead of taking the event loop's core. */
async function withHashingSlot<T>(job: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  started++;
  try {
    return await job();
  } finally {
    const next = waiting.shift();
    if (next) next(); // hand the slot over directly
    else running--;
  }
}

/** Hashes a password with argon2id on the libuv pool, so the event loop keeps serving. */
export function hashPassword(password: string): Promise<string> {
  return withHashingSlot(() => hash(password, ARGON2_OPTIONS));
}

/** Verifies a password against a stored argon2 hash. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return withHashingSlot(() => verify(passwordHash, password, ARGON2_OPTIONS)).catch(() => false);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real verification, for unknown emails, so response time does not reveal
 * whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('gatehouse-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}
