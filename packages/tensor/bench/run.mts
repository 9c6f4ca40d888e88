/**
 * `npm run bench`: times our ops against TensorFlow.js (WebGPU backend) and jax-js (WebGPU device)
 * in one Node process on one shared adapter, prints a table and writes bench-results/tensor.json
 * at the repository root.
 *
 *   tsx bench/run.mts [--only=<substring>] [--peers=tfjs,jax|none] [--budget=<ms>]
 *
 * Each case is warmed up in every library, then the libraries are timed round-robin within a time
 * budget and the median is reported. Every repetition launches the op and waits for the device with
 * the library's own "submit and wait for the queue" call (no readback), then frees the output.
 */
import { writeBenchResults } from '@llm-streamline/test-utils/bench-results';
import { CASES } from './cases.js';
import { installSharedGpu } from './gpu.js';
import { jax, type Library, ours, tfjs } from './libraries.js';
import { measureTogether, type Runner, type Timing } from './timing.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v = 'true'] = a.replace(/^--/, '').split('=');
    return [k as string, v] as const;
  }),
);
const only = args.get('only');
const peerNames = (args.get('peers') ?? 'tfjs,jax').split(',').filter((p) => p && p !== 'none');
const budgetMs = Number(args.get('budget') ?? 3000);

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

type PeerResult = (Timing & { rate: number; ratio: number | null }) | 'unsupported' | 'failed';
interface Row {
  case: string;
  unit: string;
  ours: (Timing & { rate: number }) | 'pending' | 'failed';
  peers: Record<string, PeerResult>;
}

/** Wraps runners so a library that throws drops out of the case instead of ending the bench. */
function guarded(runners: Map<string, Runner>, failed: Set<string>): Map<string, Runner> {
  const out = new Map<string, Runner>();
  for (const [name, r] of runners) {
    const fail = (e: unknown) => {
      if (!failed.has(name)) console.warn(`${name} failed: ${(e as Error).message}`);
      failed.add(name);
    };
    out.set(name, {
      run: () => {
        if (failed.has(name)) return undefined;
        try {
          return r.run();
        } catch (e) {
          fail(e);
          return undefined;
        }
      },
      sync: async () => {
        if (!failed.has(name)) await r.sync().catch(fail);
      },
      dispose: (o) => {
        if (o !== undefined) r.dispose(o);
      },
    });
  }
  return out;
}

function fmtMs(t: Timing): string {
  return `${t.approx ? '~' : ''}${t.ms < 10 ? t.ms.toFixed(2) : t.ms.toFixed(1)}`;
}

let headerDone = false;
function printRow(row: Row): void {
  const cols = [34, 10, 13, ...peers.flatMap(() => [10, 10])];
  const line = (cells: string[]) =>
    cells
      .map((s, i) => (i === 0 ? s.padEnd(cols[i] as number) : s.padStart(cols[i] as number)))
      .join(' ');
  if (!headerDone) {
    headerDone = true;
    console.log(
      line([
        'case',
        'ours ms',
        'ours rate',
        ...peers.flatMap((p) => [`${p.name} ms`, `${p.name}/ours`]),
      ]),
    );
  }
  const o = row.ours;
  const cells = [
    row.case,
    typeof o === 'string' ? o : fmtMs(o),
    typeof o === 'string' ? '' : `${o.rate.toFixed(2)} ${row.unit}`,
  ];
  for (const p of peers) {
    const r = row.peers[p.name];
    if (r === undefined || typeof r === 'string') cells.push(r ?? '', '');
    else cells.push(fmtMs(r), r.ratio === null ? '' : `${r.ratio.toFixed(2)}x`);
  }
  console.log(line(cells));
}

const rows: Row[] = [];
const started = performance.now();
console.log(`device: ${me.describe()}`);
for (const c of CASES) {
  if (only && !c.name.includes(only)) continue;
  const rate = (ms: number) => c.work.amount / (ms * 1e6);
  const libs = [me, ...peers];
  const runners = new Map<string, Runner>();
  const failed = new Set<string>();
  try {
    for (const lib of libs) {
      try {
        const r = lib.prepare(c.op);
        if (r) runners.set(lib.name, r);
      } catch (e) {
        console.warn(`${lib.name} cannot run ${c.name}: ${(e as Error).message}`);
        failed.add(lib.name);
      }
    }
    const timings = await measureTogether(guarded(runners, failed), {
      budgetMs: c.budgetMs ?? budgetMs,
      minReps: 3,
      maxReps: 50,
      slowMs: 15_000,
      heavyMs: 2_000,
    });
    const mine = failed.has(me.name) ? undefined : timings.get(me.name);
    const row: Row = {
      case: c.name,
      unit: c.work.unit,
      ours: failed.has(me.name) ? 'failed' : mine ? { ...mine, rate: rate(mine.ms) } : 'pending',
      peers: {},
    };
    for (const peer of peers) {
      const t = timings.get(peer.name);
      row.peers[peer.name] = failed.has(peer.name)
        ? 'failed'
        : t
          ? { ...t, rate: rate(t.ms), ratio: mine ? t.ms / mine.ms : null }
          : 'unsupported';
    }
    rows.push(row);
    printRow(row);
  } finally {
    for (const lib of libs) lib.release();
  }
}

console.log(
  `\n(ratio = peer ms / ours ms: > 1 means ours is faster; ~ = a single run including compilation; total ${((performance.now() - started) / 1000).toFixed(0)} s)`,
);

const out = writeBenchResults('tensor.json', me.describe(), {
  timing:
    'median ms of launch + wait for the queue (no readback), libraries interleaved; ratio = peer_ms / ours_ms',
  peers: peers.map((p) => p.name),
  rows,
});
console.log(`wrote ${out}`);
process.exit(0);
