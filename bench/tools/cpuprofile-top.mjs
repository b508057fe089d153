// Summarizes a V8 .cpuprofile (from BENCH_CPU_PROF=<dir>): the functions with the most self time and the
// most inclusive time (self + callees; each function counted once per stack).
// Usage: node bench/tools/cpuprofile-top.mjs <file.cpuprofile> [selfRows=30] [inclusiveRows=40]
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const timeById = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  timeById.set(id, (timeById.get(id) ?? 0) + dt);
  total += dt;
});
const label = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
for (const [id, t] of timeById) {
  const k = label(byId.get(id));
  self.set(k, (self.get(k) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = label(byId.get(cur));
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + t);
  }
}
const top = (m, n) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms`);
console.log(`--- self\n${top(self, Number(process.argv[3] ?? 30))}`);
console.log(`--- inclusive\n${top(inclusive, Number(process.argv[4] ?? 40))}`);
