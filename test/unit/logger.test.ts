import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubDeep, scrubSecrets } from '../../src/lib/logger.js';
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

  it('censors secret-named fields at any depth, and leaves the rest of the line as it was', () => {
    const { lines, log } = capture();
    log.info(
      {
        requestId: 'req_7',
        request: { headers: { cookie: 'sid=s3cret-cookie', accept: 'application/json' }, body: { variables: { pw: 'var-secret' } } },
        deep: { a: { b: { password: 'deep-secret' } } },
      },
      'request',
    );
    const line = JSON.parse(lines[0]);
    expect(line.request.headers).toEqual({ cookie: '[redacted]', accept: 'application/json' });
    expect(line.request.body.variables).toBe('[redacted]');
    expect(line.deep.a.b.password).toBe('[redacted]');
    expect(line).toMatchObject({ requestId: 'req_7', msg: 'request', level: 'info', service: 'gatehouse' });
    expect(lines[0]).not.toMatch(/s3cret-cookie|var-secret|deep-secret/);
  });

  it('scrubSecrets leaves ordinary text alone', () => {
    expect(scrubSecrets('session ses_abc revoked')).toBe('session ses_abc revoked');
    expect(scrubSecrets('token gh_AAAAAAAAAAAAAAAA')).toBe('token gh_[redacted]');
  });

  it("scrubDeep copies only what holds a token, and leaves the caller's objects untouched", () => {
    const token = generateSessionToken();
    const clean = { requestId: 'req_1', path: '/graphql', nested: { list: ['a', 'b'], n: 1 } };
    expect(scrubDeep(clean)).toBe(clean);

    const dirty = { requestId: 'req_2', nested: { list: ['ok', `Bearer ${token}`], n: 2 }, other: { x: 1 } };
    const scrubbed = scrubDeep(dirty) as typeof dirty;
    expect(scrubbed).not.toBe(dirty);
    expect(scrubbed.nested.list).toEqual(['ok', 'Bearer gh_[redacted]']);
    expect(scrubbed.other).toBe(dirty.other);
    expect(scrubbed.requestId).toBe('req_2');
    expect(dirty.nested.list[1]).toBe(`Bearer ${token}`);
    expect(JSON.stringify(scrubbed)).not.toContain(token.slice(3));
  });
});
