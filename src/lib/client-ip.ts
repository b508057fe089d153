import { isIP } from 'node:net';

/**
 * The client address of a request.
 *
 * With no trusted proxy (`hops` 0) it is the peer address of the connection. Behind `hops` reverse
 * proxies that each append the address they received the request from to `X-Forwarded-For` (nginx's
 * `$proxy_add_x_forwarded_for`, most load balancers), the client is the `hops`-th entry from the
 * right: entries further left were written by the client itself and are never trusted. A proxy that
 * overwrites the header leaves one entry, which is then the one taken. When the header is missing,
 * or the chosen entry is not an IP address, the peer address is used.
 */
export function clientIp(forwardedFor: string | null | undefined, peer: string | null | undefined, hops: number): string | null {
  const fallback = peer || null;
  if (hops <= 0 || !forwardedFor) return fallback;
  const entries = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return fallback;
  // Fewer entries than proxies: the request skipped the outer ones; the left-most is the farthest known hop.
  return normalizeIp(entries[Math.max(0, entries.length - hops)]) ?? fallback;
}

/** An address as proxies write it (`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`, `2001:db8::1`), or null. */
function normalizeIp(entry: string): string | null {
  if (isIP(entry)) return entry;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed && isIP(bracketed[1]) === 6) return bracketed[1];
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  if (withPort && isIP(withPort[1]) === 4) return withPort[1];
  return null;
}
