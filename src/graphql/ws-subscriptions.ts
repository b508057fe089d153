import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { freshLoaders, type GraphQLContext } from './context.js';
import { deliveredViewerOf, sharedEventOf } from './subscriptions.js';

/** Where a subscription's `next` frames go: the socket itself, written directly. */
export interface FrameSink {
  /** graphql-ws operation id. */
  readonly id: string;
  /** Writes one text frame; a socket that is no longer open drops it. */
  send(frame: string): void;
}

/** Masks internal errors of a result (typed errors pass through) and gives every error its code. */
export type ResultErrorMasker = (errors: readonly GraphQLError[], requestId: string) => GraphQLError[];

/** A subscription's result computed for one event, shared by every subscriber with the same operation. */
type SharedPayload = { json: string } | typeof VIEWER_DEPENDENT;
const VIEWER_DEPENDENT = Symbol('viewer-dependent');

/**
 * Context properties that are the same for every subscriber: reading them does not make a result
 * depend on who is watching. Anything else (viewer, meta, requestId, revealedUserIds, socket hooks,
 * the upgrade request, yoga's own per-operation fields) does.
 */
const SHARED_CONTEXT_KEYS = new Set<PropertyKey>(['config', 'clock', 'events', 'services', 'log', 'transport', 'loaders']);

/**
 * Results of subscription events, computed once per event and operation and shared by every
 * graphql-ws subscriber whose result cannot differ: the execution of the first subscriber runs with
 * a context that records whether anything about the viewer was read (the viewer, its request
 * metadata, anything but the app's shared services). If nothing was, and the result has no errors,
 * its serialized `payload` is reused for every other subscriber with the same document, operation
 * name and variables; otherwise each subscriber executes its own, exactly as before.
 *
 * Sharing changes nothing a subscriber sees: each one still gets its events from its own guarded
 * stream (authorized per delivery against its session and user read fresh), and only what
 * execution would have produced identically is computed once. Entries live as long as the event
 * object they are keyed by (a WeakMap), so nothing outlives the publish.
 */
export class SharedResults {
  /** Per event: each operation's shared payload (a promise while the first subscriber executes it). */
  private readonly byEvent = new WeakMap<object, Map<string, SharedPayload | Promise<SharedPayload>>>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 1;
  /** Executions run for events (shared or not); tests read it. */
  executions = 0;

  /** The key of an operation among the subscribers of one event (yoga's parse cache makes documents recur). */
  operationKey(args: ExecutionArgs): string {
    let documentId = this.documentIds.get(args.document);
    if (documentId === undefined) this.documentIds.set(args.document, (documentId = this.nextDocumentId++));
    return `${documentId}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? null)}`;
  }

  /**
   * The `payload` JSON of one event for one subscriber, or the execution result itself when it could
   * not be shared (it depends on the viewer, or has errors). Synchronous when the event's shared
   * payload is already known (every subscriber after the first).
   */
  payloadFor(item: unknown, args: ExecutionArgs, operationKey: string): string | Promise<string | ExecutionResult> {
    const event = sharedEventOf(item);
    if (event === null) return this.executeOwn(item, args);
    let forEvent = this.byEvent.get(event);
    if (!forEvent) this.byEvent.set(event, (forEvent = new Map()));
    const shared = forEvent.get(operationKey);
    if (shared === undefined) return this.executeFirst(item, args, operationKey, forEvent);
    if (shared instanceof Promise) return shared.then<string | ExecutionResult>((payload) => (payload === VIEWER_DEPENDENT ? this.executeOwn(item, args) : payload.json));
    return shared === VIEWER_DEPENDENT ? this.executeOwn(item, args) : shared.json;
  }

  /** The first subscriber executes with a recording context; the others wait for its verdict. */
  private async executeFirst(
    item: unknown,
    args: ExecutionArgs,
    operationKey: string,
    forEvent: Map<string, SharedPayload | Promise<SharedPayload>>,
  ): Promise<string | ExecutionResult> {
    let settle!: (payload: SharedPayload) => void;
    forEvent.set(operationKey, new Promise<SharedPayload>((resolve) => (settle = resolve)));
    let payload: SharedPayload = VIEWER_DEPENDENT;
    try {
      const recording = recordingContext(eventContext(args.contextValue as GraphQLContext, item));
      const result = await this.run(item, args, recording.context);
      if (recording.viewerRead() || result.errors?.length) return result;
      payload = { json: JSON.stringify(result) };
      return payload.json;
    } finally {
      forEvent.set(operationKey, payload);
      settle(payload);
    }
  }

  private executeOwn(item: unknown, args: ExecutionArgs): Promise<ExecutionResult> {
    return this.run(item, args, eventContext(args.contextValue as GraphQLContext, item));
  }

  private async run(item: unknown, args: ExecutionArgs, contextValue: GraphQLContext): Promise<ExecutionResult> {
    this.executions += 1;
    return execute({ ...args, rootValue: item, contextValue });
  }
}

/**
 * The context one event is executed with, on top of the subscription's: the viewer as the delivery
 * re-read it (the subscription's own copy is as old as the subscription), and fresh loaders (rows
 * loaded for one event must not be served for the next).
 */
function eventContext(base: GraphQLContext, item: unknown): GraphQLContext {
  const context = Object.create(base) as GraphQLContext;
  context.loaders = freshLoaders(base, null);
  const viewer = deliveredViewerOf(item);
  if (viewer) context.viewer = viewer;
  return context;
}

/** Wraps a context to record whether any property that differs between subscribers was read. */
function recordingContext(own: GraphQLContext): { context: GraphQLContext; viewerRead: () => boolean } {
  let read = false;
  const context = new Proxy(own, {
    get(target, key, receiver) {
      if (!SHARED_CONTEXT_KEYS.has(key)) read = true;
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (!SHARED_CONTEXT_KEYS.has(key)) read = true;
      return Reflect.has(target, key);
    },
  });
  return { context, viewerRead: () => read };
}

/**
 * Runs a graphql-ws subscription and writes its `next` frames to the socket directly, each event's
 * payload computed through {@link SharedResults} (once for all subscribers whose result cannot
 * differ). graphql-ws still owns the operation: this returns the async iterator it waits on, which
 * yields nothing and ends when the stream ends (graphql-ws then sends `complete`), and whose
 * `return()` (the client's `complete`, or the socket closing) stops the stream at once.
 *
 * Frames are written in order, each right after its payload is ready, so a subscription's final
 * notice is on the socket before the socket registry closes it (it waits one macrotask).
 */
export async function subscribeWithSharedResults(
  args: ExecutionArgs,
  sink: FrameSink,
  shared: SharedResults,
  maskErrors: ResultErrorMasker,
): Promise<ExecutionResult | AsyncIterableIterator<never>> {
  const stream = await createSourceEventStream(args);
  // Refused (e.g. by scope-auth): graphql-ws sends the result through onNext, which masks it as any other.
  if (!isAsyncIterable(stream)) return stream;
  return new SharedResultStream(stream, args, sink, shared, maskErrors);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** The iterator graphql-ws waits on (see {@link subscribeWithSharedResults}). */
class SharedResultStream implements AsyncIterableIterator<never> {
  private stopped = false;
  private finished: ((result: IteratorReturnResult<undefined>) => void) | null = null;
  private readonly source: AsyncIterator<unknown>;
  private readonly frameStart: string;
  private readonly operationKey: string;

  constructor(
    source: AsyncIterable<unknown>,
    private readonly args: ExecutionArgs,
    private readonly sink: FrameSink,
    private readonly shared: SharedResults,
    private readonly maskErrors: ResultErrorMasker,
  ) {
    this.source = source[Symbol.asyncIterator]();
    this.frameStart = `{"id":${JSON.stringify(sink.id)},"type":"next","payload":`;
    this.operationKey = shared.operationKey(args);
  }

  next(): Promise<IteratorResult<never>> {
    if (this.stopped) return Promise.resolve(DONE);
    const ended = new Promise<IteratorReturnResult<undefined>>((resolve) => (this.finished = resolve));
    void this.pump();
    return ended;
  }

  return(): Promise<IteratorResult<never>> {
    this.end();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<never>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<never> {
    return this;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const item = await this.source.next();
        if (item.done || this.stopped) break;
        const known = this.shared.payloadFor(item.value, this.args, this.operationKey);
        const payload = typeof known === 'string' ? known : await known;
        if (this.stopped) break;
        this.sink.send(this.frameStart + (typeof payload === 'string' ? payload : this.serialize(payload)) + '}');
      }
    } catch (error) {
      // An execution that throws (rather than returning errors) is a bug of ours: report it on this
      // operation as an internal error and end it, as graphql-ws would.
      const requestId = (this.args.contextValue as GraphQLContext).requestId;
      const [masked] = this.maskErrors([error instanceof GraphQLError ? error : new GraphQLError(String(error), { originalError: error as Error })], requestId);
      if (!this.stopped) this.sink.send(this.frameStart + JSON.stringify({ data: null, errors: [masked] }) + '}');
    } finally {
      this.end();
    }
  }

  private serialize(result: ExecutionResult): string {
    if (!result.errors?.length) return JSON.stringify(result);
    const requestId = (this.args.contextValue as GraphQLContext).requestId;
    return JSON.stringify({ ...result, errors: this.maskErrors(result.errors, requestId) });
  }

  private end() {
    if (!this.stopped) {
      this.stopped = true;
      void this.source.return?.();
    }
    const finished = this.finished;
    this.finished = null;
    finished?.(DONE);
  }
}
