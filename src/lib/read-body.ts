import type { IncomingMessage } from 'node:http';

/** What reading a capped request body gave. */
export type CappedBody = { kind: 'ok'; body: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Reads a request body into memory, counting bytes as they stream in, whatever the framing
 * (`Content-Length` or `Transfer-Encoding: chunked`). Once more than `maxBytes` have arrived it
 * stops keeping them and resolves `too-large` at once: the rest of the body is read and thrown
 * away (so the connection stays usable and the answer reaches the client), never buffered. A
 * client that keeps sending is cut off by the server's `requestTimeout`.
 */
export function readBodyCapped(req: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  return new Promise((resolve) => new BodyReader(req, maxBytes, resolve).listen());
}

/**
 * One body being read: state in fields, steps in methods, and anonymous listeners (this runs for
 * every POST; named closures would each cost an allocation plus a `name` property under tsx).
 * The listeners stay attached after the answer; later events are ignored, and data past the cap is
 * thrown away as it arrives.
 */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly maxBytes: number,
    private readonly resolve: (result: CappedBody) => void,
  ) {}

  listen(): void {
    this.req.on('data', (chunk: Buffer) => this.data(chunk));
    this.req.on('end', () => this.settle({ kind: 'ok', body: Buffer.concat(this.chunks, this.size) }));
    this.req.on('error', () => this.settle({ kind: 'aborted' }));
    this.req.on('close', () => {
      if (!this.req.complete) this.settle({ kind: 'aborted' });
    });
  }

  private data(chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size <= this.maxBytes) return void this.chunks.push(chunk);
    this.chunks.length = 0;
    // The stream keeps flowing into data(), which now drops everything.
    this.settle({ kind: 'too-large' });
  }

  private settle(result: CappedBody): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(result);
  }
}
