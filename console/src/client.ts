import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

/** UNAUTHENTICATED reasons that mean "the token this console holds is no longer good". */
const ENDED_REASONS = new Set(['INVALID_TOKEN', 'SESSION_EXPIRED', 'SESSION_REVOKED']);

export interface ConsoleClientOptions {
  /** The current bearer token (read on every request, so a refreshed token is used at once). */
  getToken(): string | null;
  /** The server says this session is over: an HTTP 401, or a graphql-ws close with 4401. */
  onSessionEnded(reason: string, message?: string): void;
  /** The graphql-ws socket connected (true) or dropped (false). */
  onLive?(live: boolean): void;
}

export interface ConsoleClient {
  urql: Client;
  ws: WsClient;
  dispose(): void;
}

/** The graphql-ws URL for this page: same origin, `/graphql`. */
export function graphqlWsUrl(location: Location = window.location): string {
  const url = new URL('/graphql', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * One urql client per signed-in session: queries and mutations over HTTP POST to same-origin
 * `/graphql`, subscriptions over one shared graphql-ws socket. Both send the bearer token.
 */
export function createConsoleClient(options: ConsoleClientOptions): ConsoleClient {
  const { getToken, onSessionEnded, onLive } = options;

  const ws = createWsClient({
    url: graphqlWsUrl(),
    lazy: true,
    lazyCloseTimeout: 3000,
    retryAttempts: 20,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connected: () => onLive?.(true),
      closed: (event) => {
        onLive?.(false);
        const { code, reason } = event as CloseEvent;
        // 4401: the session is over (graphql-ws does not retry it). "Unauthorized" would be a client bug.
        if (code === 4401 && reason !== 'Unauthorized') onSessionEnded(reason || 'SESSION_REVOKED');
      },
    },
  });

  const urql = new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: () => {
      const token = getToken();
      return token ? { headers: { authorization: `Bearer ${token}` } } : {};
    },
    exchanges: [
      mapExchange({
        onResult(result) {
          const ended = sessionEndedError(result.error);
          if (ended && getToken()) onSessionEnded(ended.reason, ended.message);
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    urql,
    ws,
    dispose: () => void ws.dispose(),
  };
}

/** The UNAUTHENTICATED error (HTTP 401 or a subscribe refusal) that ends this session, if any. */
function sessionEndedError(error: CombinedError | undefined): { reason: string; message: string } | null {
  if (!error) return null;
  for (const e of error.graphQLErrors) {
    const reason = e.extensions?.reason;
    if (e.extensions?.code === 'UNAUTHENTICATED' && typeof reason === 'string' && ENDED_REASONS.has(reason)) {
      return { reason, message: e.message };
    }
  }
  if (error.response && (error.response as Response).status === 401) return { reason: 'SESSION_REVOKED', message: error.message };
  return null;
}
