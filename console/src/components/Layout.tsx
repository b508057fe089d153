import type { ReactNode } from 'react';
import { Link, usePath } from '../router';
import type { ConsoleSessionFragment, ConsoleUserFragment } from '../generated/graphql';
import { label } from '../format';
import { When } from './ui';

interface LayoutProps {
  user: ConsoleUserFragment;
  live: boolean;
  newDevice: ConsoleSessionFragment | null;
  onDismissNewDevice(): void;
  flash: string | null;
  onDismissFlash(): void;
  onSignOut(): void;
  children: ReactNode;
}

/** Header with navigation, the live-connection pill and the account menu; alerts; then the page. */
export function Layout({ user, live, newDevice, onDismissNewDevice, flash, onDismissFlash, onSignOut, children }: LayoutProps) {
  const path = usePath();
  const active = user.status === 'ACTIVE';
  const links: [string, string][] = [
    ['/', active ? 'Dashboard' : 'Account status'],
    ['/devices', 'My devices'],
  ];
  if (active && user.role === 'ADMIN') links.push(['/admin', 'Approvals'], ['/admin/users', 'Users'], ['/admin/audit', 'Audit log']);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Gatehouse</span>
        <nav>
          {links.map(([to, text]) => (
            <Link key={to} to={to} className={path === to ? 'nav-link nav-active' : 'nav-link'}>
              {text}
            </Link>
          ))}
        </nav>
        <div className="account">
          <span className={live ? 'pill pill-live' : 'pill'} title="Live updates over graphql-ws">
            {live ? 'Live' : 'Connecting…'}
          </span>
          <span className="who">
            {user.name} <span className="muted">({label(user.role)})</span>
          </span>
          <button type="button" className="button-secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {newDevice ? (
        <div className="banner banner-alert" role="alert" data-testid="new-device-alert">
          <span>
            <strong>New device signed in:</strong> {newDevice.deviceName}
            {newDevice.ipAddress ? ` from ${newDevice.ipAddress}` : ''}, <When iso={newDevice.createdAt} />. Not you? Sign it out under My
            devices.
          </span>
          <span className="banner-actions">
            {path !== '/devices' ? <Link to="/devices">Review devices</Link> : null}
            <button type="button" className="button-link" onClick={onDismissNewDevice}>
              Dismiss
            </button>
          </span>
        </div>
      ) : null}
      {flash ? (
        <div className="banner banner-success" role="status">
          <span>{flash}</span>
          <button type="button" className="button-link" onClick={onDismissFlash}>
            Dismiss
          </button>
        </div>
      ) : null}
      <main className="content">{children}</main>
    </div>
  );
}
