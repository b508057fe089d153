import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type MutableRefObject } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { createConsoleClient } from './client';
import { noticeForEndedSession, tokenStore, type Notice } from './auth';
import { describeError } from './errors';
import { ConsoleContext, useLiveEvents, type ConsoleState } from './hooks';
import { navigate, usePath } from './router';
import {
  AccountStatusDocument,
  MeDocument,
  RefreshSessionDocument,
  SessionEventsDocument,
  SignOutDocument,
  type ConsoleSessionFragment,
  type ConsoleUserFragment,
} from './generated/graphql';
import { Layout } from './components/Layout';
import { ErrorBox } from './components/ui';
import { SignInPage } from './pages/SignInPage';
import { SignUpPage } from './pages/SignUpPage';
import { PendingPage } from './pages/PendingPage';
import { DashboardPage } from './pages/DashboardPage';
import { DevicesPage } from './pages/DevicesPage';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { UsersPage } from './pages/UsersPage';
import { AuditPage } from './pages/AuditPage';

interface AuthState {
  signedIn: boolean;
  /** Bumped on every sign-in and sign-out: a new urql client (and cache, and socket) per session. */
  generation: number;
  notice: Notice | null;
}

/**
 * The console: a signed-out part (sign in, sign up, device limit) and a signed-in part whose
 * account status and sessions are followed live over graphql-ws.
 */
export function App() {
  const [auth, setAuth] = useState<AuthState>(() => ({ signedIn: tokenStore.get() !== null, generation: 0, notice: null }));
  const [live, setLive] = useState(false);
  const generation = useRef(auth.generation);
  /** The admin's reason for the latest rejection or suspension, for the sign-in page's notice. */
  const statusReason = useRef<string | null>(null);
  /** Set while this device signs itself out, so the server's REVOKED / 4401 echo is not worded as "signed out elsewhere". */
  const intendedEnd = useRef<Notice | null>(null);

  const endSession = useCallback((from: number, notice: Notice) => {
    if (generation.current !== from) return; // a late event from a session that already ended
    generation.current = from + 1;
    tokenStore.clear();
    setLive(false);
    setAuth({ signedIn: false, generation: from + 1, notice: intendedEnd.current ?? notice });
    intendedEnd.current = null;
  }, []);

  const startSession = useCallback((token: string) => {
    tokenStore.set(token);
    generation.current += 1;
    statusReason.current = null;
    intendedEnd.current = null;
    setAuth({ signedIn: true, generation: generation.current, notice: null });
  }, []);

  const client = useMemo(() => {
    const from = auth.generation;
    return createConsoleClient({
      getToken: () => tokenStore.get(),
      onSessionEnded: (reason) => endSession(from, noticeForEndedSession(reason, statusReason.current)),
      onLive: (isLive) => {
        if (generation.current === from) setLive(isLive);
      },
    });
  }, [auth.generation, endSession]);
  useEffect(() => () => client.dispose(), [client]);

  // Another tab of this browser signed in or out.
  useEffect(
    () =>
      tokenStore.onChange((token) => {
        if (token === null && auth.signedIn) endSession(auth.generation, noticeForEndedSession('SIGNED_OUT'));
        if (token !== null && !auth.signedIn) startSession(token);
      }),
    [auth.signedIn, auth.generation, endSession, startSession],
  );

  return (
    <Provider value={client.urql}>
      {auth.signedIn ? (
        <SignedIn
          key={auth.generation}
          live={live}
          statusReason={statusReason}
          intendedEnd={intendedEnd}
          onEnd={(notice) => endSession(auth.generation, notice)}
        />
      ) : (
        <SignedOut key={auth.generation} notice={auth.notice} onSignedIn={startSession} />
      )}
    </Provider>
  );
}

function SignedOut({ notice, onSignedIn }: { notice: Notice | null; onSignedIn(token: string): void }) {
  const path = usePath();
  return (
    <div className="signed-out">
      <div className="signed-out-brand">Gatehouse</div>
      {path === '/sign-up' ? <SignUpPage onSignedIn={onSignedIn} /> : <SignInPage notice={notice} onSignedIn={onSignedIn} />}
    </div>
  );
}

interface SignedInProps {
  live: boolean;
  statusReason: MutableRefObject<string | null>;
  intendedEnd: MutableRefObject<Notice | null>;
  onEnd(notice: Notice): void;
}

/** Loads the account once over HTTP (a stale token answers 401 here), then goes live. */
function SignedIn(props: SignedInProps) {
  const [{ data, error }, reload] = useQuery({ query: MeDocument, requestPolicy: 'network-only' });
  if (data) return <LiveConsole {...props} initialUser={data.me} />;
  if (error) {
    return (
      <div className="signed-out">
        <ErrorBox problem={describeError(error)} />
        <button type="button" onClick={() => reload({ requestPolicy: 'network-only' })}>
          Try again
        </button>
      </div>
    );
  }
  return <div className="loading">Loading your account…</div>;
}

function LiveConsole({ live, statusReason, intendedEnd, onEnd, initialUser }: SignedInProps & { initialUser: ConsoleUserFragment }) {
  const [user, setUser] = useState(initialUser);
  const [sessionsVersion, bumpSessions] = useReducer((n: number) => n + 1, 0);
  const [newDevice, setNewDevice] = useState<ConsoleSessionFragment | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [, refreshSession] = useMutation(RefreshSessionDocument);
  const [, signOut] = useMutation(SignOutDocument);
  const path = usePath();

  useEffect(() => {
    statusReason.current = user.statusReason;
  }, [user, statusReason]);

  const lastStatus = useRef(initialUser.status);
  /** A rejection or suspension revoked this session but its status event (with the reason) is still on its way. */
  const accountEnd = useRef<{ reason: string; timer: number } | null>(null);
  useEffect(() => () => window.clearTimeout(accountEnd.current?.timer), []);

  // The first event is the current state (so an approval made while connecting is not missed);
  // later ones are approvals, rejections, suspensions and role changes.
  useLiveEvents(AccountStatusDocument, {}, ({ accountStatusChanged: event }) => {
    const before = lastStatus.current;
    lastStatus.current = event.status;
    setUser(event.user);
    statusReason.current = event.reason ?? event.user.statusReason;
    if (accountEnd.current && (event.status === 'REJECTED' || event.status === 'SUSPENDED')) {
      window.clearTimeout(accountEnd.current.timer);
      onEnd(noticeForEndedSession(accountEnd.current.reason, statusReason.current));
      return;
    }
    if (event.status === 'ACTIVE' && before !== 'ACTIVE') {
      setFlash(before === 'PENDING' ? 'Your account was approved. Welcome aboard!' : 'Your account was reactivated.');
      // A privilege change: rotate the token (same session, sockets stay open) and take the fresh user.
      void refreshSession({}).then((result) => {
        if (!result.data) return;
        tokenStore.set(result.data.refreshSession.token);
        setUser(result.data.refreshSession.user);
      });
    }
  });

  useLiveEvents(SessionEventsDocument, {}, ({ sessionEvents: event }) => {
    if (event.isCurrent && (event.type === 'REVOKED' || event.type === 'EXPIRED')) {
      const reason = event.reason ?? event.type;
      const accountChange = reason === 'ACCOUNT_REJECTED' || reason === 'ACCOUNT_SUSPENDED';
      if (accountChange && lastStatus.current !== 'REJECTED' && lastStatus.current !== 'SUSPENDED') {
        // The server sends the status event with the admin's reason first; if this page's status
        // subscription was not live yet, wait for it briefly, so the sign-in page can say why.
        const timer = window.setTimeout(() => onEnd(noticeForEndedSession(reason, statusReason.current)), 1500);
        accountEnd.current = { reason, timer };
        return;
      }
      onEnd(noticeForEndedSession(reason, statusReason.current));
      return;
    }
    bumpSessions();
    if (event.type === 'CREATED' && !event.isCurrent) setNewDevice(event.session);
  });

  // Signed-in users have no business on the sign-in pages.
  useEffect(() => {
    if (path === '/sign-in' || path === '/sign-up') navigate('/', { replace: true });
  }, [path]);

  const state = useMemo<ConsoleState>(
    () => ({
      user,
      sessionsVersion,
      async signOutHere(action, notice) {
        intendedEnd.current = notice;
        const result = await action();
        if (result.error) {
          intendedEnd.current = null;
          return result.error;
        }
        onEnd(notice);
        return undefined;
      },
    }),
    [user, sessionsVersion, onEnd, intendedEnd],
  );

  const handleSignOut = () => {
    // Whatever the server answers, this device forgets the token.
    const notice = noticeForEndedSession('SIGNED_OUT');
    intendedEnd.current = notice;
    void signOut({}).finally(() => onEnd(notice));
  };

  return (
    <ConsoleContext.Provider value={state}>
      <Layout
        user={user}
        live={live}
        newDevice={newDevice}
        onDismissNewDevice={() => setNewDevice(null)}
        flash={flash}
        onDismissFlash={() => setFlash(null)}
        onSignOut={handleSignOut}
      >
        <Page path={path} user={user} />
      </Layout>
    </ConsoleContext.Provider>
  );
}

function Page({ path, user }: { path: string; user: ConsoleUserFragment }) {
  if (path === '/devices') return <DevicesPage />;
  if (user.status !== 'ACTIVE') return <PendingPage />;
  if (path === '/' || path === '/sign-in' || path === '/sign-up') return <DashboardPage />;
  if (path.startsWith('/admin')) {
    if (user.role !== 'ADMIN') return <p className="box box-warning">Only administrators can see this page.</p>;
    if (path === '/admin') return <ApprovalsPage />;
    if (path === '/admin/users') return <UsersPage />;
    if (path === '/admin/audit') return <AuditPage />;
  }
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no console page at this address.</p>
    </section>
  );
}
