// The WAL checkpointer's thread (see checkpointer.ts). Plain JavaScript: a worker thread loads it
// without a TypeScript loader. Its own connection copies committed WAL frames back into the
// database file (and fsyncs it) here, off the server's event loop.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
// Never checkpoint from this connection's own commits (it makes none), only when asked below.
db.pragma('wal_autocheckpoint = 0');

function checkpoint() {
  // PASSIVE: copies what no reader still needs, without waiting for or blocking anyone.
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  return { busy: result.busy, log: result.log, checkpointed: result.checkpointed };
}

const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}, workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message.type === 'now') {
    try {
      parentPort.postMessage({ type: 'done', id: message.id, result: checkpoint() });
    } catch (error) {
      parentPort.postMessage({ type: 'done', id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  } else if (message.type === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
