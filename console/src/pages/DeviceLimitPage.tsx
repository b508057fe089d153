import { useState } from 'react';
import type { Problem } from '../errors';
import type { ConsoleSessionFragment } from '../generated/graphql';
import { DeviceSummary, ErrorBox } from '../components/ui';

interface DeviceLimitPageProps {
  limit: number;
  sessions: ConsoleSessionFragment[];
  problem: Problem | null;
  busy: boolean;
  onReplace(sessionId: string): void;
  onCancel(): void;
}

/**
 * signIn answered DeviceLimitReached: nothing changed yet. The user picks the device to sign out;
 * signing in again with replaceSessionId signs that one out and this one in, in one step.
 */
export function DeviceLimitPage({ limit, sessions, problem, busy, onReplace, onCancel }: DeviceLimitPageProps) {
  const [chosen, setChosen] = useState<string | null>(null);
  return (
    <section className="card">
      <h1>Too many devices</h1>
      <p>
        Your account is already signed in on {sessions.length} device{sessions.length === 1 ? '' : 's'}, the most allowed is {limit}. Choose one to
        sign out, and this browser is signed in instead.
      </p>
      <ErrorBox problem={problem} />
      <ul className="list" aria-label="Signed-in devices">
        {sessions.map((session) => (
          <li key={session.id} className={chosen === session.id ? 'row row-selected' : 'row'}>
            <label className="row-choice">
              <input type="radio" name="replace" value={session.id} checked={chosen === session.id} onChange={() => setChosen(session.id)} />
              <DeviceSummary session={session} />
            </label>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" disabled={!chosen || busy} onClick={() => chosen && onReplace(chosen)}>
          {busy ? 'Signing in…' : 'Sign out the chosen device and sign in'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
