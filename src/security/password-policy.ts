import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shortest password accepted at sign-up, password change and `gatehouse user create`. */
export const MIN_PASSWORD_LENGTH = 10;
/** Longest password accepted (argon2 input stays bounded). */
export const MAX_PASSWORD_LENGTH = 256;

let common: Set<string> | null = null;

/** The shipped list of common passwords (src/security/common-passwords.txt), lower-cased. */
export function commonPasswords(): Set<string> {
  if (!common) {
    const file = join(dirname(fileURLToPath(import.meta.url)), 'common-passwords.txt');
    common = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim().toLowerCase())
        .filter((line) => line && !line.startsWith('#')),
    );
  }
  return common;
}

/**
 * Why `password` is not acceptable for the account with `email` and `name`, as the end of a
 * sentence ("must be at least 10 characters"), or null when it is fine.
 */
export function passwordProblem(password: string, account: { email?: string | null; name?: string | null } = {}): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lowered = password.trim().toLowerCase();
  if (commonPasswords().has(lowered)) return 'is one of the most common passwords; choose one that is harder to guess';
  const email = account.email?.trim().toLowerCase();
  const localPart = email?.split('@')[0];
  const name = account.name?.trim().toLowerCase();
  if (email && (lowered === email || lowered === localPart)) return 'must not be your email address';
  if (name && lowered === name) return 'must not be your name';
  return null;
}
