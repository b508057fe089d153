import { randomBytes } from 'node:crypto';

/** The single source of randomness: `n` cryptographically random bytes. */
export function secureRandomBytes(n: number): Buffer {
  return randomBytes(n);
}

/** A random base64url string made from `n` random bytes. */
export function randomToken(n: number): string {
  return secureRandomBytes(n).toString('base64url');
}

/** A public, prefixed identifier such as `usr_9f3k…`; never a secret. */
export function newId(prefix: string): string {
  return `${prefix}_${secureRandomBytes(12).toString('base64url')}`;
}

/** A short id that ties a log line to an error answer. */
export function newRequestId(): string {
  return `req_${secureRandomBytes(8).toString('hex')}`;
}
