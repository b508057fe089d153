import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSessionToken, hashSessionToken, isWellFormedToken } from '../../src/sessions/token.js';
import { describeDevice } from '../../src/sessions/device.js';

const CHROME_WINDOWS_10 =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const IPAD_SAFARI =
  'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

describe('session tokens', () => {
  it('are gh_ + 43 base64url characters (32 bytes)', () => {
    const token = generateSessionToken();
    expect(token).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
  });

  it('are unique over 1000 draws', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateSessionToken()));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(isWellFormedToken(token)).toBe(true);
  });

  it('are hashed with SHA-256, hex', () => {
    const token = generateSessionToken();
    const expected = createHash('sha256').update(token).digest('hex');
    expect(hashSessionToken(token)).toBe(expected);
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
    // The FIPS 180-2 test vector: SHA-256("abc").
    expect(hashSessionToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSessionToken(token)).not.toBe(hashSessionToken(generateSessionToken()));
  });

  it('isWellFormedToken accepts only the issued shape', () => {
    expect(isWellFormedToken(`gh_${'A'.repeat(43)}`)).toBe(true);
    expect(isWellFormedToken(`gh_${'a-_9'.repeat(10)}abc`)).toBe(true);
    expect(isWellFormedToken(`gh_${'A'.repeat(42)}`)).toBe(false);
    expect(isWellFormedToken(`gh_${'A'.repeat(44)}`)).toBe(false);
    expect(isWellFormedToken(`xx_${'A'.repeat(43)}`)).toBe(false);
    expect(isWellFormedToken(`gh_${'A'.repeat(42)}=`)).toBe(false);
    expect(isWellFormedToken(`gh_${'A'.repeat(42)}+`)).toBe(false);
    expect(isWellFormedToken(`Bearer gh_${'A'.repeat(43)}`)).toBe(false);
    expect(isWellFormedToken('')).toBe(false);
    expect(isWellFormedToken('garbage')).toBe(false);
  });
});

describe('describeDevice', () => {
  it('names Chrome on Windows 10 as a WEB device', () => {
    expect(describeDevice(CHROME_WINDOWS_10)).toEqual({ name: 'Chrome on Windows 10', type: 'WEB', browser: 'Chrome', os: 'Windows 10' });
  });

  it('treats an iPhone as MOBILE', () => {
    const device = describeDevice(IPHONE_SAFARI);
    expect(device.type).toBe('MOBILE');
    expect(device.browser).toBe('Mobile Safari');
    expect(device.os).toBe('iOS 17.2');
    expect(device.name).toBe('Mobile Safari on iOS 17.2');
  });

  it('treats an iPad as TABLET', () => {
    const device = describeDevice(IPAD_SAFARI);
    expect(device.type).toBe('TABLET');
    expect(device.os).toMatch(/^iOS/);
  });

  it('treats curl as CLI', () => {
    const device = describeDevice('curl/8.0');
    expect(device.type).toBe('CLI');
    expect(device.name).toBe('curl');
  });

  it('falls back to an unknown OTHER device without a User-Agent', () => {
    expect(describeDevice(null)).toEqual({ name: 'Unknown device', type: 'OTHER', browser: null, os: null });
    expect(describeDevice('')).toEqual({ name: 'Unknown device', type: 'OTHER', browser: null, os: null });
  });

  it('lets explicit hints override every parsed part', () => {
    expect(describeDevice(CHROME_WINDOWS_10, { name: 'Work laptop', type: 'DESKTOP', browser: 'Edge', os: 'Linux' })).toEqual({
      name: 'Work laptop',
      type: 'DESKTOP',
      browser: 'Edge',
      os: 'Linux',
    });
  });

  it('keeps the parsed parts a hint does not mention', () => {
    expect(describeDevice(CHROME_WINDOWS_10, { type: 'DESKTOP' })).toEqual({
      name: 'Chrome on Windows 10',
      type: 'DESKTOP',
      browser: 'Chrome',
      os: 'Windows 10',
    });
    expect(describeDevice(CHROME_WINDOWS_10, { browser: 'Brave' })).toMatchObject({ name: 'Brave on Windows 10', browser: 'Brave', type: 'WEB' });
    expect(describeDevice(IPHONE_SAFARI, { name: "Ada's phone" })).toMatchObject({ name: "Ada's phone", type: 'MOBILE' });
  });
});
