import type { CombinedError } from 'urql';

/** An error as the console shows it: one sentence, plus messages for individual form fields. */
export interface Problem {
  code?: string;
  reason?: string;
  message: string;
  /** Field messages by input name (the last part of the argument path, e.g. "email"). */
  fields: Record<string, string>;
  retryAfterSeconds?: number;
}

/** Human wording, by `extensions.code` / `extensions.reason`; the server's own message is the fallback. */
export function describeError(error: CombinedError | undefined | null): Problem | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (!first) {
    // Never "[Network] Failed to fetch": say what it means.
    return { code: 'NETWORK', message: 'Cannot reach the Gatehouse server. Check that it is running and your connection, then try again.', fields: {} };
  }
  const extensions = (first.extensions ?? {}) as Record<string, unknown>;
  const code = typeof extensions.code === 'string' ? extensions.code : undefined;
  const reason = typeof extensions.reason === 'string' ? extensions.reason : undefined;
  const fields: Record<string, string> = {};
  if (Array.isArray(extensions.fields)) {
    for (const field of extensions.fields as { path?: string; message?: string }[]) {
      if (field.path && field.message) fields[field.path.split('.').pop()!] = field.message;
    }
  }
  const retryAfterSeconds = typeof extensions.retryAfterSeconds === 'number' ? extensions.retryAfterSeconds : undefined;
  return { code, reason, fields, retryAfterSeconds, message: wording(code, reason, first.message, retryAfterSeconds, fields) };
}

function wording(code: string | undefined, reason: string | undefined, serverMessage: string, retryAfter: number | undefined, fields: Record<string, string>): string {
  const wait = retryAfter !== undefined ? ` Try again in ${formatSeconds(retryAfter)}.` : '';
  switch (code) {
    case 'UNAUTHENTICATED':
      if (reason === 'INVALID_CREDENTIALS') return 'Wrong email or password. Check both and try again.';
      return serverMessage;
    case 'RATE_LIMITED':
      if (reason === 'ACCOUNT_LOCKED') return `Too many failed sign-ins for this account, so it is locked for now.${wait}`;
      if (reason === 'IP_LOCKED') return `Too many failed sign-ins from this network, so it is locked for now.${wait}`;
      if (reason === 'TOO_MANY_SIGN_UPS') return `Too many sign-ups from this network.${wait}`;
      return `Too many attempts.${wait}`;
    case 'BAD_USER_INPUT':
      return Object.keys(fields).length > 0 ? 'Some fields need attention; see the messages below them.' : serverMessage;
    case 'CONFLICT':
      if (reason === 'EMAIL_TAKEN') return 'An account with this email already exists. Sign in instead.';
      return serverMessage;
    case 'INTERNAL_SERVER_ERROR':
      return serverMessage || 'Something went wrong on the server. Try again.';
    default:
      return serverMessage;
  }
}

/** "45 seconds", "2 minutes", "1 minute 30 seconds". */
export function formatSeconds(total: number): string {
  const seconds = Math.max(0, Math.ceil(total));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const head = `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return rest ? `${head} ${rest} second${rest === 1 ? '' : 's'}` : head;
}
