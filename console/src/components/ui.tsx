import type { ReactNode } from 'react';
import type { Notice } from '../auth';
import type { Problem } from '../errors';
import type { ConsoleSessionFragment, UserStatus } from '../generated/graphql';
import { dateTime, label, timeAgo } from '../format';

/** An error from the server, worded by its code (never a bare "Network error"). */
export function ErrorBox({ problem }: { problem: Problem | null | undefined }) {
  if (!problem) return null;
  return (
    <div className="box box-error" role="alert" data-code={problem.code} data-reason={problem.reason}>
      {problem.message}
    </div>
  );
}

export function NoticeBox({ notice }: { notice: Notice | null | undefined }) {
  if (!notice) return null;
  return (
    <div className={`box box-${notice.tone}`} role="status">
      <strong>{notice.title}</strong>
      {notice.detail ? <p>{notice.detail}</p> : null}
    </div>
  );
}

/** A labelled form field with its own error message under it. */
export function Field({ label: text, error, hint, children }: { label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label>
        <span className="field-label">{text}</span>
        {children}
      </label>
      {error ? <span className="field-error">{fieldMessage(text, error)}</span> : hint ? <span className="field-hint">{hint}</span> : null}
    </div>
  );
}

/** The server words field problems as predicates ("must be at least 10 characters"): name the field. */
function fieldMessage(field: string, message: string): string {
  return /^[a-z]/.test(message) ? `${field} ${message}` : message;
}

export function StatusBadge({ status }: { status: UserStatus }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{label(status)}</span>;
}

/** "3 minutes ago", with the exact time on hover. */
export function When({ iso }: { iso: string }) {
  return <time dateTime={iso} title={dateTime(iso)}>{timeAgo(iso)}</time>;
}

/** A small line icon for a device type: phone, terminal or screen. */
function DeviceIcon({ type }: { type: string }) {
  const common = { width: 28, height: 28, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, 'aria-hidden': true } as const;
  if (type === 'MOBILE' || type === 'TABLET') {
    return (
      <svg {...common}>
        <rect x="7" y="2.5" width="10" height="19" rx="2" />
        <path d="M11 18.5h2" />
      </svg>
    );
  }
  if (type === 'CLI') {
    return (
      <svg {...common}>
        <rect x="2.5" y="4" width="19" height="16" rx="2" />
        <path d="M6.5 9l3 3-3 3M12 15h5" />
      </svg>
    );
  }
  return (
    <svg {...common}>
      <rect x="2.5" y="4" width="19" height="12.5" rx="1.5" />
      <path d="M8.5 20h7M12 16.5V20" />
    </svg>
  );
}

/** One device (session): icon, name, browser/OS, IP and times. */
export function DeviceSummary({ session }: { session: ConsoleSessionFragment }) {
  return (
    <div className="device">
      <span className="device-icon">
        <DeviceIcon type={session.deviceType} />
      </span>
      <div>
        <div className="device-name">
          {session.deviceName}
          {session.isCurrent ? <span className="badge badge-current">This device</span> : null}
          {session.kind === 'DEBUG' ? <span className="badge badge-debug">Debug</span> : null}
        </div>
        <div className="muted small">
          {label(session.deviceType)}
          {session.ipAddress ? ` · ${session.ipAddress}` : ''} · signed in <When iso={session.createdAt} /> · last seen{' '}
          <When iso={session.lastActivityAt} />
          {session.revokedReason ? ` · ended: ${label(session.revokedReason)}` : ''}
        </div>
      </div>
    </div>
  );
}
