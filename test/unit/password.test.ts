import { describe, expect, it } from 'vitest';
import { argon2JobCount, hashPassword, MAX_CONCURRENT_HASHES, verifyPassword } from '../../src/accounts/password.js';

describe('password hashing', () => {
  it('hashes and verifies with argon2id (m=19456, t=2, p=1); a malformed hash verifies as false', async () => {
    const before = argon2JobCount();
    const hashed = await hashPassword('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hashed, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hashed, 'wrong horse')).toBe(false);
    expect(await verifyPassword('not an argon2 hash', 'anything')).toBe(false);
    expect(argon2JobCount() - before).toBe(4);
  });

  it('queues jobs beyond the hashing slots and answers each its own', async () => {
    const passwords = Array.from({ length: MAX_CONCURRENT_HASHES * 3 + 1 }, (_, i) => `password-number-${i}`);
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    const checks = await Promise.all(hashes.map((h, i) => verifyPassword(h, passwords[(i + 1) % passwords.length])));
    expect(checks.every((ok) => ok === false)).toBe(true);
    expect(await Promise.all(hashes.map((h, i) => verifyPassword(h, passwords[i])))).toEqual(passwords.map(() => true));
  });
});
