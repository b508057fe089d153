import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { useClient, type AnyVariables, type CombinedError, type TypedDocumentNode } from 'urql';
import type { ConsoleUserFragment } from './generated/graphql';
import type { Notice } from './auth';

/**
 * Runs a subscription while the component is mounted and calls `onData` for every event, in order
 * (useSubscription would hand over only the latest state when events arrive close together).
 */
export function useLiveEvents<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  onData: (data: Data) => void,
  options: { pause?: boolean; onError?: (message: string) => void } = {},
): void {
  const client = useClient();
  const onDataRef = useRef(onData);
  onDataRef.current = onData;
  const onErrorRef = useRef(options.onError);
  onErrorRef.current = options.onError;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (options.pause) return;
    const subscription = client.subscription(document, JSON.parse(key) as Variables).subscribe((result) => {
      if (result.data) onDataRef.current(result.data);
      else if (result.error) onErrorRef.current?.(result.error.graphQLErrors[0]?.message ?? 'Live updates stopped.');
    });
    return () => subscription.unsubscribe();
  }, [client, document, key, options.pause]);
}

/** Seconds left until `until` (ms since epoch), ticking every second; 0 once passed. */
export function useCountdown(until: number | null): number {
  const [, tick] = useState(0);
  const left = until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
  const running = left > 0;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(timer);
  }, [running]);
  return left;
}

/** What every signed-in page can read and do. */
export interface ConsoleState {
  user: ConsoleUserFragment;
  /** Bumped whenever one of the user's sessions changes (sessionEvents); lists refetch on it. */
  sessionsVersion: number;
  /**
   * Runs a mutation that ends this device's session (signOut, revokeAllSessions), then shows the
   * sign-in page with `notice`, also if the server's REVOKED event wins the race. Returns its error.
   */
  signOutHere(action: () => Promise<{ error?: CombinedError }>, notice: Notice): Promise<CombinedError | undefined>;
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole outside a signed-in page');
  return state;
}
