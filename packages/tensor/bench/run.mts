/**
 * `npm run bench`: times our ops against TensorFlow.js (WebGPU backend) and jax-js (WebGPU device)
 * in one Node process on one shared adapter, prints a table and writes bench-results/tensor.json
 * at the repository root.
 *
 *   tsx bench/run.mts [--only=<substring>] [--peers=tfjs,jax|none] [--budget=<ms>]
 *
 * Each (case, library) is warmed up, then repeated within a time budget; the median is reported.
 * Every repetition launches the op and waits for the device with the library's own
 * "submit and wait for the queue" call (no readback), then frees the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES } from './cases.js';
import { installSharedGpu } from './gpu.js';
import { jax, type Library, ours, tfjs } from './libraries.js';
import { measure, type Timing } from './timing.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v = 'true'] = a.replace(/^--/, '').split('=');
    return [k as string, v] as const;
  }),
);
const only = args.get('only');
const peerNames = (args.get('peers') ?? 'tfjs,jax').split(',').filter((p) => p && p !== 'none');
const budgetMs = Number(args.get('budget') ?? 2000);

await installSharedGpu();
const me = await ours();
const peers: Library[] = [];
for (const name of peerNames) {
  const factory = name === 'tfjs' ? tfjs : name === 'jax' ? jax : undefined;
  if (!factory) throw new Error(`unknown peer '${name}' (known: tfjs, jax)`);
  try {
    peers.push(await factory());
  } catch (e) {
    console.warn(`peer ${name} unavailable: ${(e as Error).message}`);
  }
}

interface Row {
  case: string;
  unit: string;
  ours: (Timing & { rate: number }) | 'pending';
  peers: Record<string, (Timing & { rate: number; ratio: number | null }) | 'unsupported' | 'failed'>;
}

async function time(lib: Library, c: (typeof CASES)[number]): Promise<Timing | undefined> {
  const runner = lib.prepare(c.op);
  if (!runner) return undefined;
  try {
    return await measure(runner, { budgetMs: c.budgetMs ?? budgetMs, minReps: 3, maxReps: 50, slowMs: 15_000 });
  } finally {
    lib.release();
  }
}

const rows: Row[] = [];
let headerDone = false;
const started = performance.now();
console.log(`device: ${me.describe()}`);
for (const c of CASES) {
  if (only && !c.name.includes(only)) continue;
  const rate = (ms: number) => c.work.amount / (ms * 1e6);
  const mine = await time(me, c);
  const row: Row = { case: c.name, unit: c.work.unit, ours: mine ? { ...mine, rate: rate(mine.ms) } : 'pending', peers: {} };
  for (const peer of peers) {
    try {
      const t = await time(peer, c);
      row.peers[peer.name] = t ? { ...t, rate: rate(t.ms), ratio: mine ? t.ms / mine.ms : null } : 'unsupported';
    } catch (e) {
      console.warn(`${peer.name} failed on ${c.name}: ${(e as Error).message}`);
      row.peers[peer.name] = 'failed';
    }
  }
  rows.push(row);
  printRow(row);
}

function fmtMs(t: Timing): string {
  return `${t.approx ? '~' : ''}${t.ms < 10 ? t.ms.toFixed(2) : t.ms.toFixed(1)}`;
}

function printRow(row: Row): void {
  const cols = [38, 10, 12, ...peers.flatMap(() => [10, 10])];
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(cols[i] as number) : s.padStart(cols[i] as number))).join(' ');
  if (!headerDone) {
    headerDone = true;
    console.log(line(['case', 'ours ms', 'ours rate', ...peers.flatMap((p) => [`${p.name} ms`, `${p.name}/ours`])]));
  }
  const o = row.ours;
  const cells = [row.case, o === 'pending' ? 'pending' : fmtMs(o), o === 'pending' ? '' : `${o.rate.toFixed(2)} ${row.unit}`];
  for (const p of peers) {
    const r = row.peers[p.name];
    if (r === undefined || typeof r === 'string') cells.push(r ?? '', '');
    else cells.push(fmtMs(r), r.ratio === null ? '' : `${r.ratio.toFixed(2)}x`);
  }
  console.log(line(cells));
}

console.log(`\n(ratio = peer ms / ours ms: > 1 means ours is faster; ~ = one run including compilation; total ${((performance.now() - started) / 1000).toFixed(0)} s)`);

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench-results/tensor.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      device: me.describe(),
      node: process.version,
      timing: 'median ms of launch + wait for queue (no readback); ratio = peer_ms / ours_ms',
      peers: peers.map((p) => p.name),
      rows,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);
process.exit(0);
