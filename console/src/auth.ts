/**
 * The console keeps its bearer token in localStorage (one per browser profile; each tab of the
 * profile shares it). Nothing else about the user is stored: it is read from the server.
 */
const TOKEN_KEY = 'gatehouse.console.token';

export const tokenStore = {
  get(): string | null {
    return window.localStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    window.localStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    window.localStorage.removeItem(TOKEN_KEY);
  },
  /** Calls back when another tab signs in or out. */
  onChange(callback: (token: string | null) => void): () => void {
    const listener = (event: StorageEvent) => {
      if (event.key === TOKEN_KEY) callback(event.newValue);
    };
    window.addEventListener('storage', listener);
    return () => window.removeEventListener('storage', listener);
  },
};

/** Why the console is showing the sign-in page instead of the signed-in pages. */
export interface Notice {
  tone: 'info' | 'warning' | 'error';
  title: string;
  detail?: string;
}

const REVOKED_TITLES: Record<string, string> = {
  SIGNED_OUT: 'You signed out.',
  REVOKED_BY_USER: 'This device was signed out from another device.',
  REVOKED_BY_ADMIN: 'This device was signed out by an administrator.',
  DEVICE_LIMIT: 'This device was signed out because your account signed in on another device (device limit).',
  PASSWORD_CHANGED: 'This device was signed out because the account password was changed.',
  EXPIRED: 'Your session expired.',
};

/**
 * What to tell the user when the session ends. `reason` is a RevokedReason, an UNAUTHENTICATED
 * reason from an HTTP 401, or a graphql-ws close reason such as `SESSION_REVOKED:REVOKED_BY_ADMIN`;
 * `statusReason` is the admin's reason for a rejection or suspension.
 */
export function noticeForEndedSession(reason: string, statusReason?: string | null): Notice {
  const [kind, detail] = reason.split(':');
  const revokedReason = kind === 'SESSION_REVOKED' && detail ? detail : kind;
  const because = statusReason ? `Reason: ${statusReason}` : undefined;
  switch (revokedReason) {
    case 'ACCOUNT_REJECTED':
      return {
        tone: 'error',
        title: 'Your account request was rejected.',
        detail: joinDetail(because ?? 'Sign in to see the reason given', 'Contact an administrator if you think this is a mistake.'),
      };
    case 'ACCOUNT_SUSPENDED':
      return {
        tone: 'error',
        title: 'Your account was suspended.',
        detail: joinDetail(because ?? 'Sign in to see the reason given', 'Contact an administrator to have it reactivated.'),
      };
    case 'SIGNED_OUT':
      return { tone: 'info', title: REVOKED_TITLES.SIGNED_OUT };
    case 'SESSION_EXPIRED':
    case 'EXPIRED':
      return { tone: 'warning', title: REVOKED_TITLES.EXPIRED, detail: 'Sign in again to continue.' };
    case 'INVALID_TOKEN':
      return { tone: 'warning', title: 'Your sign-in is no longer valid.', detail: 'Sign in again to continue.' };
    case 'SESSION_REVOKED':
      return { tone: 'warning', title: 'This device was signed out.', detail: 'It was signed out from another device or by an administrator. Sign in again to continue.' };
    default:
      return {
        tone: 'warning',
        title: REVOKED_TITLES[revokedReason] ?? 'This device was signed out.',
        detail: 'Sign in again to continue.',
      };
  }
}

function joinDetail(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).map((part) => (part!.endsWith('.') ? part : `${part}.`)).join(' ');
}
