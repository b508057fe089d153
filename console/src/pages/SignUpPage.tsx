import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError, type Problem } from '../errors';
import { useCountdown } from '../hooks';
import { Link } from '../router';
import { SignUpDocument, type Role } from '../generated/graphql';
import { ErrorBox, Field } from '../components/ui';

const ROLES: { value: Role; text: string }[] = [
  { value: 'MEMBER', text: 'Member (ready to use at once)' },
  { value: 'EMPLOYER', text: 'Employer (needs an administrator’s approval)' },
  { value: 'STAGE_MANAGER', text: 'Stage manager (needs an administrator’s approval)' },
];

/** Creates an account and signs this browser in; approval-required roles land on the waiting page. */
export function SignUpPage({ onSignedIn }: { onSignedIn(token: string): void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('MEMBER');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [{ fetching }, signUp] = useMutation(SignUpDocument);
  const wait = useCountdown(lockedUntil);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const result = await signUp({ input: { name, email, password, role } });
    if (result.data) return onSignedIn(result.data.signUp.token);
    const described = describeError(result.error);
    setProblem(described);
    if (described?.retryAfterSeconds) setLockedUntil(Date.now() + described.retryAfterSeconds * 1000);
  };

  return (
    <section className="card narrow">
      <h1>Create an account</h1>
      <ErrorBox problem={problem} />
      <form onSubmit={onSubmit} noValidate>
        <Field label="Name" error={problem?.fields.name}>
          <input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Email" error={problem?.fields.email}>
          <input type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </Field>
        <Field label="Password" error={problem?.fields.password} hint="At least 10 characters; not a common password, your email or your name.">
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <Field label="Account type" error={problem?.fields.role}>
          <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.text}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={fetching || wait > 0}>
          {wait > 0 ? `Wait ${wait} s` : fetching ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p className="muted">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}
