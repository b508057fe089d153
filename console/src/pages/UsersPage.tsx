import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { describeError, type Problem } from '../errors';
import { useConsole, useLiveEvents } from '../hooks';
import { label } from '../format';
import {
  ApproveUserDocument,
  ReactivateUserDocument,
  RevokeAllSessionsDocument,
  RevokeSessionDocument,
  SessionEventsDocument,
  SuspendUserDocument,
  UserSessionsDocument,
  UsersDocument,
  type ConsoleUserFragment,
  type UserStatus,
} from '../generated/graphql';
import { DeviceSummary, ErrorBox, StatusBadge, When } from '../components/ui';

const PAGE_SIZE = 20;
const STATUSES: UserStatus[] = ['PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED'];

/** Admins: every account, searchable and paged, with each user's devices and status actions. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<UserStatus | ''>('');
  // Cursors of the pages before this one (the API pages forward only).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [{ data, error, fetching }] = useQuery({
    query: UsersDocument,
    variables: { first: PAGE_SIZE, after, filter: { search: query || null, status: status || null } },
    requestPolicy: 'cache-and-network',
  });

  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    setQuery(search.trim());
    setCursors([null]);
  };

  const users = data?.users.edges.map((edge) => edge.node) ?? [];
  return (
    <section>
      <h1>Users</h1>
      <form className="toolbar" onSubmit={onSearch}>
        <input aria-label="Search users" placeholder="Search name or email" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select
          aria-label="Status filter"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as UserStatus | '');
            setCursors([null]);
          }}
        >
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
      </form>
      <ErrorBox problem={describeError(error)} />
      {data && users.length === 0 ? <p className="empty">No users match.</p> : null}
      <ul className="list" aria-label="Users">
        {users.map((user) => (
          <UserRow key={user.id} user={user} />
        ))}
      </ul>
      <div className="pager">
        <button type="button" className="button-secondary" disabled={cursors.length === 1 || fetching} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          className="button-secondary"
          disabled={!data?.users.pageInfo.hasNextPage || fetching}
          onClick={() => setCursors([...cursors, data!.users.pageInfo.endCursor ?? null])}
        >
          Next page
        </button>
      </div>
    </section>
  );
}

function UserRow({ user }: { user: ConsoleUserFragment }) {
  const { user: me } = useConsole();
  const [open, setOpen] = useState(false);
  const [suspending, setSuspending] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [, approve] = useMutation(ApproveUserDocument);
  const [, suspend] = useMutation(SuspendUserDocument);
  const [, reactivate] = useMutation(ReactivateUserDocument);
  const self = user.id === me.id;

  async function act(action: () => Promise<{ error?: Parameters<typeof describeError>[0] }>) {
    const result = await action();
    setProblem(describeError(result.error));
    return !result.error;
  }
  const onSuspend = async (event: FormEvent) => {
    event.preventDefault();
    if (await act(() => suspend({ id: user.id, reason: reason.trim() || null }))) {
      setSuspending(false);
      setReason('');
    }
  };

  return (
    <li className="row row-wrap" data-user-email={user.email}>
      <div className="grow">
        <div className="strong">
          {user.name} {self ? <span className="badge badge-current">You</span> : null}
        </div>
        <div className="muted small">
          {user.email} · {label(user.role)} · joined <When iso={user.createdAt} />
        </div>
      </div>
      <span className="user-status">
        <StatusBadge status={user.status} />
        {user.statusReason ? <span className="muted small"> {user.statusReason}</span> : null}
      </span>
      <span className="row-actions">
        <button type="button" className="button-secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide devices' : 'Devices'}
        </button>
        {user.status === 'PENDING' ? (
          <button type="button" onClick={() => void act(() => approve({ id: user.id }))}>
            Approve
          </button>
        ) : null}
        {user.status === 'SUSPENDED' || user.status === 'REJECTED' ? (
          <button type="button" onClick={() => void act(() => reactivate({ id: user.id }))}>
            Reactivate
          </button>
        ) : null}
        {user.status !== 'SUSPENDED' && !self && !suspending ? (
          <button type="button" className="button-danger" onClick={() => setSuspending(true)}>
            Suspend
          </button>
        ) : null}
      </span>
      {suspending ? (
        <form className="inline-form full" onSubmit={onSuspend}>
          <input aria-label={`Reason for suspending ${user.email}`} placeholder="Reason (shown to the user)" value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="submit" className="button-danger">
            Confirm suspension
          </button>
          <button type="button" className="button-secondary" onClick={() => setSuspending(false)}>
            Cancel
          </button>
        </form>
      ) : null}
      {problem ? (
        <div className="full">
          <ErrorBox problem={problem} />
        </div>
      ) : null}
      {open ? (
        <div className="full">
          <UserSessions userId={user.id} />
        </div>
      ) : null}
    </li>
  );
}

/** One user's devices, live (sessionEvents for that user); revoke one or all. */
function UserSessions({ userId }: { userId: string }) {
  const [includeInactive, setIncludeInactive] = useState(false);
  const [{ data, error }, refetch] = useQuery({ query: UserSessionsDocument, variables: { userId, includeInactive }, requestPolicy: 'network-only' });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [, revoke] = useMutation(RevokeSessionDocument);
  const [, revokeAll] = useMutation(RevokeAllSessionsDocument);
  useLiveEvents(SessionEventsDocument, { userId }, () => refetch({ requestPolicy: 'network-only' }));

  const sessions = data?.userSessions ?? [];
  const anyActive = sessions.some((s) => s.isActive);
  const run = async (action: () => Promise<{ error?: Parameters<typeof describeError>[0] }>) => {
    const result = await action();
    setProblem(describeError(result.error));
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <div className="subpanel" aria-label="User devices">
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)} /> Show ended sessions
        </label>
        <button type="button" className="button-danger" disabled={!anyActive} onClick={() => void run(() => revokeAll({ userId }))}>
          Sign out all devices
        </button>
      </div>
      <ErrorBox problem={problem ?? describeError(error)} />
      {data && sessions.length === 0 ? <p className="empty">No {includeInactive ? '' : 'active '}sessions.</p> : null}
      <ul className="list">
        {sessions.map((session) => (
          <li key={session.id} className={session.isActive ? 'row' : 'row row-ended'} data-session-id={session.id}>
            <DeviceSummary session={{ ...session, isCurrent: false }} />
            {session.isActive ? (
              <button type="button" className="button-secondary" onClick={() => void run(() => revoke({ id: session.id }))}>
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
