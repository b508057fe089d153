import UAParser from 'ua-parser-js';

/** Kinds of device a session can be on. */
export const DEVICE_TYPES = ['WEB', 'MOBILE', 'TABLET', 'DESKTOP', 'CLI', 'OTHER'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** What a session records about the device that opened it. */
export interface DeviceInfo {
  name: string;
  type: DeviceType;
  browser: string | null;
  os: string | null;
}

/** Device fields a client may state explicitly; they win over the User-Agent. */
export interface DeviceHints {
  name?: string | null;
  type?: DeviceType | null;
  browser?: string | null;
  os?: string | null;
}

const CLI_AGENTS = /^(curl|wget|httpie|python-requests|python-urllib|go-http-client|node-fetch|undici|node|axios|okhttp|insomnia|postman)/i;

/**
 * Parses a User-Agent header into a device description ("Chrome on Windows 10").
 * Explicit `hints` override each parsed part.
 */
export function describeDevice(userAgent: string | null | undefined, hints: DeviceHints = {}): DeviceInfo {
  const ua = (userAgent ?? '').slice(0, 512);
  const parsed = new UAParser(ua).getResult();
  const browser = hints.browser ?? (parsed.browser.name ? parsed.browser.name : null);
  const osName = parsed.os.name ? [parsed.os.name, parsed.os.version].filter(Boolean).join(' ') : null;
  const os = hints.os ?? osName;
  const type = hints.type ?? guessType(ua, parsed);
  const cliName = CLI_AGENTS.exec(ua)?.[1];
  const fallbackName = cliName ?? 'Unknown device';
  const parsedName = browser && os ? `${browser} on ${os}` : browser ?? os ?? fallbackName;
  return { name: hints.name ?? parsedName, type, browser, os };
}

function guessType(ua: string, parsed: UAParser.IResult): DeviceType {
  if (parsed.device.type === 'mobile' || parsed.device.type === 'wearable') return 'MOBILE';
  if (parsed.device.type === 'tablet') return 'TABLET';
  if (/electron/i.test(ua)) return 'DESKTOP';
  if (CLI_AGENTS.test(ua)) return 'CLI';
  if (parsed.browser.name) return 'WEB';
  return 'OTHER';
}
