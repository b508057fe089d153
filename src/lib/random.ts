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

const REQUEST_ID_BYTES = 8;
// Request ids are made on every request: one random fill per 512 ids instead of one per id.
let requestIdPool: Buffer = Buffer.alloc(0);
let requestIdOffset = 0;

/** A short id that ties a log line to an error answer (random, not secret). */
export function newRequestId(): string {
  if (requestIdOffset + REQUEST_ID_BYTES > requestIdPool.length) {
    requestIdPool = secureRandomBytes(REQUEST_ID_BYTES * 512);
    requestIdOffset = 0;
  }
  const id = requestIdPool.toString('hex', requestIdOffset, requestIdOffset + REQUEST_ID_BYTES);
  requestIdOffset += REQUEST_ID_BYTES;
  return `req_${id}`;
}
