import { describe, expect, it } from 'vitest';
import { newId, newRequestId, randomToken } from '../../src/lib/random.js';

describe('random ids', () => {
  it('makes distinct, well-formed request ids across refills of the random pool', () => {
    const ids = Array.from({ length: 2000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes prefixed public ids and base64url tokens of the asked length', () => {
    expect(newId('usr')).toMatch(/^usr_[A-Za-z0-9_-]{16}$/);
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newId('ses')).not.toBe(newId('ses'));
  });
});
