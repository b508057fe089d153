import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../lib/random.js';

/** Every session token starts with this, so leaked tokens are easy to spot and scan for. */
export const TOKEN_PREFIX = 'gh_';
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^gh_[A-Za-z0-9_-]{43}$/;

/** A new opaque session token: `gh_` + 32 random bytes in base64url. Shown to the client once. */
export function generateSessionToken(): string {
  return TOKEN_PREFIX + randomToken(TOKEN_BYTES);
}

/** True when the text has the shape of a Gatehouse token (it may still be unknown). */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** SHA-256 of the token, hex. Only this is stored; the token itself never is. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The first few characters of a token, safe to show an operator. */
export function tokenPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
