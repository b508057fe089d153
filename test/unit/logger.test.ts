import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/lib/logger.js';
import { generateSessionToken } from '../../src/sessions/token.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, log: createLogger('trace', sink) };
}

describe('logger redaction', () => {
  it('replaces secret-bearing fields and token-shaped text', () => {
    const { lines, log } = capture();
    const token = generateSessionToken();
    log.info({ token, input: { password: 'hunter2-hunter2', newPassword: 'n3w-password' }, headers: { authorization: `Bearer ${token}` } }, 'sign-in');
    log.error(`driver failed while handling ${token}`);
    log.warn({ err: { message: `bad token ${token}` } }, 'oops');
    const output = lines.join('');
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.slice(3));
    expect(output).not.toContain('hunter2-hunter2');
    expect(output).not.toContain('n3w-password');
    expect(output.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(lines[1])).toMatchObject({ level: 'error', msg: 'driver failed while handling gh_[redacted]' });
  });

  it('scrubSecrets leaves ordinary text alone', () => {
    expect(scrubSecrets('session ses_abc revoked')).toBe('session ses_abc revoked');
    expect(scrubSecrets('token gh_AAAAAAAAAAAAAAAA')).toBe('token gh_[redacted]');
  });
});
