import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { noticeForEndedSession } from '../auth';
import { describeError, type Problem } from '../errors';
import { useConsole } from '../hooks';
import {
  MySessionsDocument,
  RevokeAllSessionsDocument,
  RevokeOtherSessionsDocument,
  RevokeSessionDocument,
  SignOutDocument,
} from '../generated/graphql';
import { DeviceSummary, ErrorBox } from '../components/ui';

/** Every device signed in to this account, updated live (sessionEvents); sign out one, others or all. */
export function DevicesPage() {
  const { sessionsVersion, signOutHere } = useConsole();
  const [{ data, error }, refetch] = useQuery({ query: MySessionsDocument, requestPolicy: 'network-only' });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [, revokeSession] = useMutation(RevokeSessionDocument);
  const [, revokeOthers] = useMutation(RevokeOtherSessionsDocument);
  const [, revokeAll] = useMutation(RevokeAllSessionsDocument);
  const [, signOut] = useMutation(SignOutDocument);

  // Sessions that appeared after the page opened get a "New" badge.
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() => {
    if (!data) return;
    const ids = data.mySessions.map((s) => s.id);
    if (seen.current === null) seen.current = new Set(ids);
    const added = ids.filter((id) => !seen.current!.has(id));
    if (added.length) setFresh((before) => new Set([...before, ...added]));
    added.forEach((id) => seen.current!.add(id));
  }, [data]);

  useEffect(() => {
    if (sessionsVersion > 0) refetch({ requestPolicy: 'network-only' });
  }, [sessionsVersion, refetch]);

  const sessions = data?.mySessions ?? [];
  const others = sessions.filter((s) => !s.isCurrent).length;

  async function run(action: () => Promise<{ error?: Parameters<typeof describeError>[0] }>, done?: string) {
    setProblem(null);
    setMessage(null);
    const result = await action();
    if (result.error) setProblem(describeError(result.error));
    else {
      if (done) setMessage(done);
      refetch({ requestPolicy: 'network-only' });
    }
  }

  const signOutThis = async () => {
    setProblem(null);
    setProblem(describeError(await signOutHere(() => signOut({}), noticeForEndedSession('SIGNED_OUT'))));
  };

  const signOutOthers = async () => {
    setProblem(null);
    const result = await revokeOthers({});
    if (result.error) return setProblem(describeError(result.error));
    const count = result.data?.revokeOtherSessions ?? 0;
    setMessage(`Signed out ${count} other device${count === 1 ? '' : 's'}.`);
    refetch({ requestPolicy: 'network-only' });
  };

  const signOutEverywhere = async () => {
    setProblem(null);
    const error = await signOutHere(() => revokeAll({}), {
      tone: 'info',
      title: 'You signed out on all devices.',
      detail: 'Every device of this account, this one included, must sign in again.',
    });
    setProblem(describeError(error));
  };

  return (
    <section>
      <h1>My devices</h1>
      <p className="muted">Every browser or app signed in to your account. The list updates by itself when a device signs in or out.</p>
      <ErrorBox problem={problem ?? describeError(error)} />
      {message ? (
        <div className="box box-info" role="status">
          {message}
        </div>
      ) : null}
      <ul className="list" aria-label="Signed-in devices">
        {sessions.map((session) => (
          <li key={session.id} className={fresh.has(session.id) ? 'row row-new' : 'row'} data-session-id={session.id}>
            <DeviceSummary session={session} />
            {fresh.has(session.id) ? <span className="badge badge-new">New</span> : null}
            <button
              type="button"
              className="button-secondary"
              onClick={() => (session.isCurrent ? void signOutThis() : void run(() => revokeSession({ id: session.id }), `Signed out ${session.deviceName}.`))}
            >
              Sign out
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button-secondary" disabled={others === 0} onClick={() => void signOutOthers()}>
          Sign out other devices
        </button>
        <button type="button" className="button-danger" onClick={() => void signOutEverywhere()}>
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}
