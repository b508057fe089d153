import { useEffect } from 'react';
import { useQuery } from 'urql';
import { useConsole } from '../hooks';
import { label } from '../format';
import { Link } from '../router';
import { MySessionsDocument, PendingUsersDocument } from '../generated/graphql';
import { DeviceSummary, StatusBadge, When } from '../components/ui';

/** The account at a glance: who you are, this device, your other devices, and (admins) the queue. */
export function DashboardPage() {
  const { user, sessionsVersion } = useConsole();
  const [{ data }, refetch] = useQuery({ query: MySessionsDocument, requestPolicy: 'network-only' });
  useEffect(() => {
    if (sessionsVersion > 0) refetch({ requestPolicy: 'network-only' });
  }, [sessionsVersion, refetch]);
  const current = data?.mySessions.find((s) => s.isCurrent);
  const others = (data?.mySessions.length ?? 1) - 1;

  return (
    <section>
      <h1>Welcome, {user.name}</h1>
      <div className="grid">
        <div className="card">
          <h2>Your account</h2>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{user.email}</dd>
            <dt>Role</dt>
            <dd>{label(user.role)}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={user.status} />
            </dd>
            <dt>Can post jobs</dt>
            <dd>{user.canPostJobs ? 'Yes' : 'No'}</dd>
            <dt>Member since</dt>
            <dd>
              <When iso={user.createdAt} />
            </dd>
          </dl>
        </div>
        <div className="card">
          <h2>This device</h2>
          {current ? <DeviceSummary session={current} /> : <p className="muted">Loading…</p>}
          <p>
            {others === 0 ? 'No other devices are signed in.' : `${others} other device${others === 1 ? ' is' : 's are'} signed in.`}{' '}
            <Link to="/devices">Manage devices</Link>
          </p>
        </div>
        {user.role === 'ADMIN' ? <AdminCard /> : null}
      </div>
    </section>
  );
}

function AdminCard() {
  const [{ data }] = useQuery({ query: PendingUsersDocument, requestPolicy: 'network-only' });
  const count = data?.users.edges.length;
  return (
    <div className="card">
      <h2>Administration</h2>
      <p>{count === undefined ? 'Loading…' : count === 0 ? 'No accounts are waiting for approval.' : `${count} account${count === 1 ? ' is' : 's are'} waiting for approval.`}</p>
      <p>
        <Link to="/admin">Approvals</Link> · <Link to="/admin/users">Users</Link> · <Link to="/admin/audit">Audit log</Link>
      </p>
    </div>
  );
}
