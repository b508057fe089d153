import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { secureRandomBytes } from '../lib/random.js';

/** Keys for the portal pool, each derived from the server secret with HKDF-SHA256 and its own label. */
export interface PortalKeys {
  /** HMAC key for credential keys. */
  credential: Buffer;
  /** AES-256-GCM key for the stored password and cookies. */
  encryption: Buffer;
}

/** HKDF labels; changing one makes every stored key or ciphertext unreadable. */
export const CREDENTIAL_KEY_INFO = 'gatehouse/portal/credential-key/v1';
export const ENCRYPTION_KEY_INFO = 'gatehouse/portal/encryption-key/v1';

/** Derives the portal pool's keys from the server secret. */
export function derivePortalKeys(secret: Buffer): PortalKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  return { credential: derive(CREDENTIAL_KEY_INFO), encryption: derive(ENCRYPTION_KEY_INFO) };
}

/**
 * The lookup key of a portal login: HMAC-SHA256 (hex) over owner, portal, username and password,
 * JSON-encoded so no two different tuples share an input. Without the server secret it cannot be
 * recomputed or brute-forced from a stolen database.
 */
export function credentialKey(key: Buffer, ownerId: string, portalId: string, username: string, password: string): string {
  return createHmac('sha256', key).update(JSON.stringify([ownerId, portalId, username, password])).digest('hex');
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random 12-byte IV. Layout: version (1 byte) | IV | auth tag | ciphertext.
 * `context` is bound as associated data (e.g. `pss_…:password`), so a ciphertext copied to another
 * row or column fails to decrypt.
 */
export function encrypt(key: Buffer, plaintext: string, context: string): Buffer {
  const iv = secureRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Reverses {@link encrypt}; throws when the data, key or context do not match. */
export function decrypt(key: Buffer, sealed: Buffer, context: string): string {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new Error('not a Gatehouse portal ciphertext');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
