import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/lib/client-ip.js';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('clientIp (TRUST_PROXY)', () => {
  it('ignores X-Forwarded-For without a trusted proxy', () => {
    expect(clientIp('203.0.113.5', '127.0.0.1', 0)).toBe('127.0.0.1');
    expect(clientIp(undefined, '127.0.0.1', 0)).toBe('127.0.0.1');
    expect(clientIp(undefined, undefined, 0)).toBeNull();
  });

  it('takes the entry the proxies appended (right-most for one proxy), never what the client wrote in front of it', () => {
    expect(clientIp('203.0.113.5', '10.0.0.1', 1)).toBe('203.0.113.5');
    expect(clientIp('198.51.100.7, 203.0.113.5', '10.0.0.1', 1)).toBe('203.0.113.5');
    expect(clientIp('1.1.1.1,2.2.2.2 ,  203.0.113.5', '10.0.0.1', 1)).toBe('203.0.113.5');
    // Two proxies (e.g. a CDN, then a load balancer): the second entry from the right.
    expect(clientIp('198.51.100.7, 203.0.113.5, 10.0.0.2', '10.0.0.1', 2)).toBe('203.0.113.5');
    // Fewer entries than proxies: the left-most, the farthest hop known.
    expect(clientIp('203.0.113.5', '10.0.0.1', 2)).toBe('203.0.113.5');
  });

  it('accepts ports and bracketed IPv6 as proxies write them, and falls back to the peer for anything else', () => {
    expect(clientIp('203.0.113.5:51234', '10.0.0.1', 1)).toBe('203.0.113.5');
    expect(clientIp('[2001:db8::1]:443', '10.0.0.1', 1)).toBe('2001:db8::1');
    expect(clientIp('2001:db8::1', '10.0.0.1', 1)).toBe('2001:db8::1');
    expect(clientIp('203.0.113.5, not-an-ip', '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientIp('unknown', '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientIp(' , ', '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientIp('', '10.0.0.1', 1)).toBe('10.0.0.1');
  });

  it('reads TRUST_PROXY as a boolean (true = one proxy) or a number of proxies', () => {
    const hops = (value?: string) => {
      const config = loadConfig(value === undefined ? {} : { TRUST_PROXY: value });
      return [config.trustProxy, config.trustProxyHops];
    };
    expect([hops(), hops('false'), hops('0'), hops('no')]).toEqual([[false, 0], [false, 0], [false, 0], [false, 0]]);
    expect([hops('true'), hops('1'), hops('yes'), hops('2')]).toEqual([[true, 1], [true, 1], [true, 1], [true, 2]]);
    for (const bad of ['maybe', '11', '-1', '1.5']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ TRUST_PROXY: 'maybe' })).toThrow('TRUST_PROXY: "maybe" is not true, false or a number of proxies from 0 to 10');
  });
});
