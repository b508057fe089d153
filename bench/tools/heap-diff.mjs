// Per-socket heap by object kind: the difference between two V8 heap snapshots (e.g. BENCH_HEAP_SNAPSHOT at
// two socket counts) divided by the difference in sockets.
// Usage: node --max-old-space-size=8000 bench/tools/heap-diff.mjs <fewer.heapsnapshot> <more.heapsnapshot> <socketsAdded> [rows=45]
import { readFileSync } from 'node:fs';

function aggregate(path) {
  const snap = JSON.parse(readFileSync(path, 'utf8'));
  const meta = snap.snapshot.meta;
  const width = meta.node_fields.length;
  const types = meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => meta.node_fields.indexOf(f));
  const out = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]];
    const name = type.includes('string') || type === 'code' || type === 'number' ? '' : snap.strings[snap.nodes[i + iName]];
    const key = `${type}:${name}`.slice(0, 100);
    const entry = out.get(key) ?? [0, 0];
    entry[0] += snap.nodes[i + iSize];
    entry[1]++;
    out.set(key, entry);
    total += snap.nodes[i + iSize];
  }
  return { out, total };
}
const a = aggregate(process.argv[2]);
const b = aggregate(process.argv[3]);
const n = Number(process.argv[4]);
console.log(`per socket: ${((b.total - a.total) / n).toFixed(0)} bytes of V8 heap`);
const rows = [...b.out]
  .map(([k, [size, count]]) => [k, (size - (a.out.get(k)?.[0] ?? 0)) / n, (count - (a.out.get(k)?.[1] ?? 0)) / n])
  .sort((x, y) => y[1] - x[1]);
for (const [k, size, count] of rows.slice(0, Number(process.argv[5] ?? 45))) console.log(`${size.toFixed(0).padStart(7)} B ${count.toFixed(2).padStart(7)} × ${k}`);
