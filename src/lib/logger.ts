import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Keys whose values may be a secret, at any depth of a logged object: their values are replaced
 * whatever they hold. (Censored by the walk in the logMethod hook rather than pino's `redact`,
 * which doubled the cost of every line, each request's access line included.)
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'token',
  'password',
  'currentPassword',
  'newPassword',
  'authorization',
  'Authorization',
  'cookie',
  'variables',
]);

const CENSOR = '[redacted]';

/** Scrubs anything shaped like a Gatehouse token from free text (error messages, URLs). */
export function scrubSecrets(text: string): string {
  return text.replace(/gh_[A-Za-z0-9_-]{10,}/g, 'gh_[redacted]');
}

/**
 * Scrubs a value for the log: the values of {@link SECRET_KEYS} are censored and token-shaped text
 * is scrubbed from strings, anywhere inside plain objects and arrays (bounded depth). Returns `value`
 * itself when there is nothing to scrub (every log line passes through here, and almost none holds
 * a secret), a scrubbed copy otherwise; Errors always become plain objects.
 */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('gh_') ? scrubSecrets(value) : value;
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let items: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const scrubbed = scrubDeep(value[i], depth + 1);
      if (scrubbed !== value[i]) (items ??= value.slice())[i] = scrubbed;
    }
    return items ?? value;
  }
  if (value instanceof Error) return { type: value.name, message: scrubSecrets(value.message), stack: scrubSecrets(value.stack ?? '') };
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const scrubbed = SECRET_KEYS.has(key) && item !== undefined ? CENSOR : scrubDeep(item, depth + 1);
    if (scrubbed !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = scrubbed;
  }
  return copy ?? value;
}

/** Creates the JSON logger. `destination` lets tests capture output. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // Secret-named fields, and free text or fields quoting a token (e.g. an error message).
          method.apply(this, args.map((a) => scrubDeep(a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
