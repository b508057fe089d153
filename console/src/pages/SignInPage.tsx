import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { Notice } from '../auth';
import { describeError, type Problem } from '../errors';
import { useCountdown } from '../hooks';
import { Link } from '../router';
import { SignInDocument, type ConsoleSessionFragment } from '../generated/graphql';
import { ErrorBox, Field, NoticeBox } from '../components/ui';
import { DeviceLimitPage } from './DeviceLimitPage';

interface DeviceLimit {
  limit: number;
  message: string;
  sessions: ConsoleSessionFragment[];
}

/** Email and password; on DeviceLimitReached, the device-limit screen takes over. */
export function SignInPage({ notice, onSignedIn }: { notice: Notice | null; onSignedIn(token: string): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [deviceLimit, setDeviceLimit] = useState<DeviceLimit | null>(null);
  const [{ fetching }, signIn] = useMutation(SignInDocument);
  const wait = useCountdown(lockedUntil);

  async function attempt(replaceSessionId?: string) {
    setProblem(null);
    const result = await signIn({ input: { email, password, replaceSessionId } });
    const data = result.data?.signIn;
    if (!data) {
      const described = describeError(result.error);
      setProblem(described);
      if (described?.retryAfterSeconds) setLockedUntil(Date.now() + described.retryAfterSeconds * 1000);
      return;
    }
    if (data.__typename === 'AuthPayload') onSignedIn(data.token);
    else setDeviceLimit({ limit: data.limit, message: data.message, sessions: data.activeSessions });
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void attempt();
  };

  if (deviceLimit) {
    return (
      <DeviceLimitPage
        limit={deviceLimit.limit}
        sessions={deviceLimit.sessions}
        problem={problem}
        busy={fetching}
        onReplace={(sessionId) => void attempt(sessionId)}
        onCancel={() => {
          setDeviceLimit(null);
          setProblem(null);
        }}
      />
    );
  }

  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <NoticeBox notice={notice} />
      <ErrorBox problem={problem} />
      <form onSubmit={onSubmit} noValidate>
        <Field label="Email" error={problem?.fields.email}>
          <input type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </Field>
        <Field label="Password" error={problem?.fields.password}>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <button type="submit" disabled={fetching || wait > 0}>
          {wait > 0 ? `Locked: wait ${wait} s` : fetching ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        No account yet? <Link to="/sign-up">Create one</Link>
      </p>
    </section>
  );
}
