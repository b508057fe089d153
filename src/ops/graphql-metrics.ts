import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';

/** The operation labels of one execution. */
interface OperationLabels {
  operationType: string;
  operationName: string;
}

type Phase = 'parse' | 'validate' | 'execute' | 'subscribe';

/** The plugin, plus the count for graphql-ws subscriptions that are set up outside envelop. */
export type GraphQLMetricsPlugin = Plugin & {
  /**
   * Counts a subscription being set up (`subscribe` phase) and returns what to call with its result:
   * for graphql-ws subscriptions with shared results (src/graphql/ws-subscriptions.ts).
   */
  subscribing(args: OperationArgs): (result: unknown) => void;
};

type OperationArgs = { document: DocumentNode; operationName?: string | null; contextValue?: unknown };

/** An operation being executed: its labels and when it started. */
interface Underway {
  labels: OperationLabels;
  start: number;
}

/**
 * The four GraphQL metrics of `GET /metrics`, with the names and labels of
 * `@graphql-yoga/plugin-prometheus` (so dashboards built on them keep working), at a fraction of its
 * cost: that plugin instruments every envelop phase and cost about a quarter of the CPU of a `me`
 * request (bench/README.md). Here an operation's labels are worked out once per document and the
 * hooks only count and time.
 *
 * - `graphql_envelop_request{operationType,operationName}`: operations executed or subscribed
 *   (HTTP, SSE and graphql-ws); unnamed ones are `Anonymous`.
 * - `graphql_envelop_request_duration{operationType,operationName}`: execution time, or the time to
 *   set a subscription up.
 * - `graphql_envelop_error_result{operationType,operationName,path,phase}`: one per error in a
 *   result, by phase (`parse`, `validate`, `execute`, `subscribe`).
 * - `graphql_yoga_http_duration{method,statusCode,operationType,operationName,url}`: HTTP requests
 *   to the GraphQL endpoint, `url` being the path.
 */
export function useGraphQLMetrics(registry: Registry): GraphQLMetricsPlugin {
  const operationLabels = ['operationType', 'operationName'] as const;
  const requests = new Counter({
    name: 'graphql_envelop_request',
    help: 'GraphQL operations executed or subscribed, by operation.',
    labelNames: operationLabels,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'graphql_envelop_request_duration',
    help: 'Time to execute an operation (or to set a subscription up), in seconds.',
    labelNames: operationLabels,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_envelop_error_result',
    help: 'Errors in GraphQL results, by operation, path and phase.',
    labelNames: [...operationLabels, 'path', 'phase'],
    registers: [registry],
  });
  const httpDurations = new Histogram({
    name: 'graphql_yoga_http_duration',
    help: 'Time to answer an HTTP request to the GraphQL endpoint, in seconds.',
    labelNames: ['method', 'statusCode', ...operationLabels, 'url'],
    registers: [registry],
  });

  const httpStarted = new WeakMap<Request, number>();
  const httpOperation = new WeakMap<Request, OperationLabels>();
  const countErrors = (labels: OperationLabels | null, phase: Phase, list: readonly Error[]) => {
    for (const error of list) {
      const path = (error as Partial<GraphQLError>).path;
      errors.inc({ ...(labels ?? {}), phase, ...(path ? { path: path.join('.') } : {}) });
    }
  };
  /** Counts an execution or subscription; {@link finish} records its time and errors. */
  const begin = (args: OperationArgs): Underway => {
    const labels = labelsOf(args.document, args.operationName);
    const request = (args.contextValue as { request?: Request } | undefined)?.request;
    if (request) httpOperation.set(request, labels);
    requests.inc(labels);
    return { labels, start: performance.now() };
  };
  const finish = (operation: Underway | undefined, phase: Phase, result: unknown) => {
    if (!operation) return;
    durations.observe(operation.labels, (performance.now() - operation.start) / 1000);
    const list = (result as { errors?: readonly GraphQLError[] } | null)?.errors;
    if (list?.length) countErrors(operation.labels, phase, list);
  };
  // Operations under way, by their context (one per operation), so that one hooks object serves
  // them all: no closures per request. Entries are deleted when done: V8's scavenger keeps a WeakMap
  // entry's value alive (see useScopeCacheRelease), so a left-over one is copied by the next scavenge.
  const underway = new WeakMap<object, Underway>();
  const finishUnderway = (args: OperationArgs, phase: Phase, result: unknown) => {
    const context = args.contextValue as object;
    finish(underway.get(context), phase, result);
    underway.delete(context);
  };
  const executeHooks = { onExecuteDone: ({ args, result }: { args: OperationArgs; result: unknown }) => finishUnderway(args, 'execute', result) };
  const subscribeHooks = { onSubscribeResult: ({ args, result }: { args: OperationArgs; result: unknown }) => finishUnderway(args, 'subscribe', result) };

  return {
    subscribing: (args) => {
      const operation = begin(args);
      return (result) => finish(operation, 'subscribe', result);
    },
    onRequest({ request }) {
      httpStarted.set(request, performance.now());
    },
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) countErrors(null, 'parse', [result]);
      };
    },
    onValidate() {
      return ({ result }) => {
        if (result.length > 0) countErrors(null, 'validate', result);
      };
    },
    onExecute({ args }) {
      underway.set(args.contextValue as object, begin(args));
      return executeHooks;
    },
    onSubscribe({ args }) {
      underway.set(args.contextValue as object, begin(args));
      return subscribeHooks;
    },
    onResponse({ request, response }) {
      const start = httpStarted.get(request);
      if (start === undefined) return;
      const operation = httpOperation.get(request);
      httpStarted.delete(request);
      httpOperation.delete(request);
      httpDurations.observe(
        { method: request.method, statusCode: response.status, url: new URL(request.url).pathname, ...(operation ?? {}) },
        (performance.now() - start) / 1000,
      );
    },
  };
}

const documentLabels = new WeakMap<DocumentNode, Map<string, OperationLabels>>();

/** An operation's labels, worked out once per parsed document (yoga caches documents, so they recur). */
function labelsOf(document: DocumentNode, operationName: string | null | undefined): OperationLabels {
  const key = operationName ?? '';
  let byName = documentLabels.get(document);
  if (!byName) documentLabels.set(document, (byName = new Map()));
  let labels = byName.get(key);
  if (!labels) {
    const operation = getOperationAST(document, operationName);
    labels = { operationType: operation?.operation ?? 'unknown', operationName: operationName || operation?.name?.value || 'Anonymous' };
    byName.set(key, labels);
  }
  return labels;
}
