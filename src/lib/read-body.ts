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
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: CappedBody) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      chunks.length = 0;
      done({ kind: 'too-large' });
      // Discard whatever else arrives (the stream keeps flowing with no listener).
      req.on('error', () => undefined);
      req.resume();
    };
    const onEnd = () => done({ kind: 'ok', body: Buffer.concat(chunks, size) });
    const onAborted = () => done({ kind: 'aborted' });
    const onClose = () => {
      if (!req.complete) done({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onClose);
  });
}
