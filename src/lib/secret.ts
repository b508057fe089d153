import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config.js';
import { secureRandomBytes } from './random.js';

/** Where the generated secret lives: `secret` next to the database file. */
export function secretPath(config: Pick<Config, 'databasePath'>): string {
  const dir = config.databasePath === ':memory:' ? 'data' : dirname(config.databasePath);
  return join(dir, 'secret');
}

/** Thrown when the secret file can be read by other users. */
export class InsecureSecretError extends Error {
  constructor(path: string, mode: number) {
    super(
      `The secret file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}). ` +
        `Run: chmod 600 ${path}`,
    );
    this.name = 'InsecureSecretError';
  }
}

/**
 * The server secret: GATEHOUSE_SECRET when set, else a 32-byte value generated once into a 0600
 * file next to the database. Refuses a secret file that group or others can read.
 */
export function loadOrCreateSecret(config: Pick<Config, 'databasePath' | 'secret'>): Buffer {
  if (config.secret) return Buffer.from(config.secret, 'utf8');
  const path = secretPath(config);
  if (existsSync(path)) {
    const mode = statSync(path).mode;
    if (mode & 0o077) throw new InsecureSecretError(path, mode);
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${secureRandomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
}
