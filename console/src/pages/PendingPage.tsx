import { useConsole } from '../hooks';
import { label } from '../format';
import { Link } from '../router';
import { When } from '../components/ui';

/**
 * For accounts that are not ACTIVE. Follows accountStatusChanged (in App), so it turns into the
 * dashboard the moment an administrator approves, without a reload.
 */
export function PendingPage() {
  const { user } = useConsole();
  if (user.status === 'REJECTED') {
    return (
      <section className="card status-card" data-status="REJECTED">
        <h1>Your account request was rejected</h1>
        <p>{user.statusReason ? `Reason: ${user.statusReason}` : 'No reason was given.'}</p>
        <p className="muted">Contact an administrator if you think this is a mistake.</p>
      </section>
    );
  }
  if (user.status === 'SUSPENDED') {
    return (
      <section className="card status-card" data-status="SUSPENDED">
        <h1>Your account is suspended</h1>
        <p>{user.statusReason ? `Reason: ${user.statusReason}` : 'No reason was given.'}</p>
        <p className="muted">Contact an administrator to have it reactivated.</p>
      </section>
    );
  }
  return (
    <section className="card status-card" data-status="PENDING">
      <div className="pulse" aria-hidden="true" />
      <h1>Waiting for approval</h1>
      <p>
        Your {label(user.role).toLowerCase()} account <strong>{user.email}</strong>, created <When iso={user.createdAt} />, is waiting for an
        administrator to approve it.
      </p>
      <p className="muted">
        This page updates by itself the moment it is approved: there is no need to reload. Meanwhile you can manage your{' '}
        <Link to="/devices">devices</Link>.
      </p>
    </section>
  );
}
