import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { describeError } from '../errors';
import { AuditLogDocument } from '../generated/graphql';
import { ErrorBox, When } from '../components/ui';

const ACTIONS = [
  'user.signed_up',
  'user.signed_in',
  'user.sign_in_failed',
  'user.sign_in_locked',
  'user.signed_out',
  'user.password_changed',
  'user.approved',
  'user.rejected',
  'user.suspended',
  'user.reactivated',
  'user.role_changed',
  'user.created',
  'session.revoked',
  'session.expired',
  'session.refreshed',
  'session.debug_created',
  'portal.session_opened',
  'portal.session_failed',
  'portal.session_closed',
];
const PAGE_SIZE = 50;

/** Admins: the audit trail, newest first, filtered by action, loaded a page at a time. */
export function AuditPage() {
  const [action, setAction] = useState('');
  // One query per loaded page; the key restarts the list on Refresh.
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  const restart = () => {
    setPages([null]);
    setNextCursor(null);
    setGeneration(generation + 1);
  };

  return (
    <section>
      <h1>Audit log</h1>
      <div className="toolbar">
        <select
          aria-label="Action filter"
          value={action}
          onChange={(e) => {
            setAction(e.target.value);
            restart();
          }}
        >
          <option value="">All actions</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <button type="button" className="button-secondary" onClick={restart}>
          Refresh
        </button>
      </div>
      <table className="table" aria-label="Audit entries">
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>Actor</th>
            <th>Target</th>
            <th>IP</th>
            <th>Detail</th>
          </tr>
        </thead>
        {pages.map((after, index) => (
          <AuditRows
            key={`${generation}:${index}`}
            action={action}
            after={after}
            onPageInfo={index === pages.length - 1 ? setNextCursor : undefined}
          />
        ))}
      </table>
      {nextCursor ? (
        <div className="pager">
          <button type="button" className="button-secondary" onClick={() => setPages([...pages, nextCursor])}>
            Load older entries
          </button>
        </div>
      ) : null}
    </section>
  );
}

function AuditRows({ action, after, onPageInfo }: { action: string; after: string | null; onPageInfo?: (cursor: string | null) => void }) {
  const [{ data, error }] = useQuery({
    query: AuditLogDocument,
    variables: { first: PAGE_SIZE, after, filter: action ? { action } : null },
    requestPolicy: 'network-only',
  });
  const info = data?.auditLog.pageInfo;
  useEffect(() => {
    if (onPageInfo && info) onPageInfo(info.hasNextPage ? (info.endCursor ?? null) : null);
  }, [info, onPageInfo]);
  if (error) {
    return (
      <tbody>
        <tr>
          <td colSpan={6}>
            <ErrorBox problem={describeError(error)} />
          </td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {data?.auditLog.edges.map(({ node }) => (
        <tr key={node.id} data-action={node.action}>
          <td>
            <When iso={node.at} />
          </td>
          <td>
            <code>{node.action}</code>
          </td>
          <td>{node.actor?.email ?? node.actorId ?? 'system'}</td>
          <td>{node.targetId ? `${node.targetType ?? ''} ${node.targetId}`.trim() : ''}</td>
          <td>{node.ipAddress ?? ''}</td>
          <td className="detail">{node.detail ? JSON.stringify(node.detail) : ''}</td>
        </tr>
      ))}
    </tbody>
  );
}
