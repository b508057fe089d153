import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { describeError, type Problem } from '../errors';
import { useLiveEvents } from '../hooks';
import { label } from '../format';
import {
  ApproveUserDocument,
  PendingApprovalsDocument,
  PendingUsersDocument,
  RejectUserDocument,
  type ConsoleUserFragment,
  type PendingApprovalEventType,
} from '../generated/graphql';
import { ErrorBox, When } from '../components/ui';

interface Activity {
  key: string;
  type: PendingApprovalEventType;
  user: ConsoleUserFragment;
  at: string;
}

/** Admins: accounts waiting for approval, live (pendingApprovals); approve, or reject with a reason. */
export function ApprovalsPage() {
  const [{ data, error }, refetch] = useQuery({ query: PendingUsersDocument, requestPolicy: 'network-only' });
  const [activity, setActivity] = useState<Activity[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);

  useLiveEvents(
    PendingApprovalsDocument,
    {},
    ({ pendingApprovals: event }) => {
      setActivity((before) => [{ key: `${event.user.id}:${event.type}:${event.at}`, ...event }, ...before].slice(0, 10));
      refetch({ requestPolicy: 'network-only' });
    },
    { onError: (message) => setProblem({ message, fields: {} }) },
  );

  const pending = data?.users.edges.map((edge) => edge.node) ?? [];
  return (
    <section>
      <h1>Approvals</h1>
      <p className="muted">Accounts waiting for an administrator. New requests appear here as they arrive.</p>
      <ErrorBox problem={problem ?? describeError(error)} />
      {data && pending.length === 0 ? <p className="empty">No accounts are waiting for approval.</p> : null}
      <ul className="list" aria-label="Pending accounts">
        {pending.map((user) => (
          <PendingRow key={user.id} user={user} onDone={() => refetch({ requestPolicy: 'network-only' })} />
        ))}
      </ul>
      {activity.length > 0 ? (
        <>
          <h2>Recent activity</h2>
          <ul className="activity" aria-label="Recent approval activity">
            {activity.map((a) => (
              <li key={a.key}>
                <span className={`badge badge-event-${a.type.toLowerCase()}`}>{label(a.type)}</span> {a.user.name} ({a.user.email}) ·{' '}
                <When iso={a.at} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function PendingRow({ user, onDone }: { user: ConsoleUserFragment; onDone(): void }) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [approveState, approve] = useMutation(ApproveUserDocument);
  const [rejectState, reject] = useMutation(RejectUserDocument);
  const busy = approveState.fetching || rejectState.fetching;

  const onApprove = async () => {
    const result = await approve({ id: user.id });
    setProblem(describeError(result.error));
    if (!result.error) onDone();
  };
  const onReject = async (event: FormEvent) => {
    event.preventDefault();
    const result = await reject({ id: user.id, reason: reason.trim() || null });
    setProblem(describeError(result.error));
    if (!result.error) onDone();
  };

  return (
    <li className="row row-wrap" data-user-email={user.email}>
      <div className="grow">
        <div className="strong">{user.name}</div>
        <div className="muted small">
          {user.email} · {label(user.role)} · requested <When iso={user.createdAt} />
        </div>
      </div>
      {rejecting ? (
        <form className="inline-form" onSubmit={onReject}>
          <input aria-label={`Reason for rejecting ${user.email}`} placeholder="Reason (shown to the user)" value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="submit" className="button-danger" disabled={busy}>
            Confirm rejection
          </button>
          <button type="button" className="button-secondary" onClick={() => setRejecting(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <span className="row-actions">
          <button type="button" disabled={busy} onClick={() => void onApprove()}>
            Approve
          </button>
          <button type="button" className="button-secondary" disabled={busy} onClick={() => setRejecting(true)}>
            Reject
          </button>
        </span>
      )}
      {problem ? (
        <div className="full">
          <ErrorBox problem={problem} />
        </div>
      ) : null}
    </li>
  );
}
