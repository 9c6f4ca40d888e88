/**
 * The long version of the checkpoint fuzz test: `npm run fuzz -- --count N` runs N seeded mutants
 * of each format (safetensors, GGUF, llama2.c) and prints the counts by mutation class and outcome.
 * Mutants run in child processes (test/fuzz/fuzz-worker.mts), a chunk each, with a heap limit and a time
 * limit per mutant: a crash is counted as an abort, a mutant over the limit as a hang, an exception
 * that escapes as uncaught, and the run goes on from the next mutant. Exits 1 when any mutant
 * failed (see FAILURE_OUTCOMES in test/fuzz/run-mutant.ts).
 *
 * Usage (from the repository root):
 *   npm run fuzz -- [--count 1000] [--seed 2026] [--format safetensors,gguf,llama2c]
 *                   [--chunk 200] [--timeout 30] [--heap 2048]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FuzzFormat } from '../test/fuzz/mutations.js';
import {
  FAILURE_OUTCOMES,
  FUZZ_FORMATS,
  type FuzzOutcome,
  type MutantResult,
  tally,
} from '../test/fuzz/run-mutant.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '2026' },
    format: { type: 'string', default: FUZZ_FORMATS.join(',') },
    chunk: { type: 'string', default: '200' },
    timeout: { type: 'string', default: '30' },
    heap: { type: 'string', default: '2048' },
  },
});
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) {
    console.error(`fuzz: --${name} ${text} must be a positive integer`);
    process.exit(2);
  }
  return n;
};
const count = positive('count', values.count);
const seed = Number(values.seed);
const chunk = positive('chunk', values.chunk);
const timeoutMs = positive('timeout', values.timeout) * 1000;
const heapMiB = positive('heap', values.heap);
const formats = values.format.split(',') as FuzzFormat[];
for (const f of formats) {
  if (!FUZZ_FORMATS.includes(f)) {
    console.error(`fuzz: unknown --format ${f}; expected ${FUZZ_FORMATS.join(', ')}`);
    process.exit(2);
  }
}
const worker = fileURLToPath(new URL('../test/fuzz/fuzz-worker.mts', import.meta.url));

/**
 * Runs mutants [from, to) of `format` in one child; returns the index to resume from when the
 * child died or hung on a mutant (that mutant recorded as abort, uncaught or hang), else `to`.
 */
function runChunk(
  format: FuzzFormat,
  from: number,
  to: number,
  out: MutantResult[],
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${heapMiB}`,
        ...process.execArgv,
        worker,
        format,
        `${from}`,
        `${to}`,
        `${seed}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let current = from;
    let finished = false;
    let uncaught: string | undefined;
    let stderr = '';
    const failCurrent = (outcome: FuzzOutcome, detail: string) => {
      out.push({ format, index: current, mutation: '?', outcome, detail });
    };
    let timer = setTimeout(onHang, timeoutMs * 4); // the first one also loads the seeds
    function onHang() {
      finished = true;
      failCurrent('hang', `no result within ${timeoutMs / 1000} s`);
      child.kill('SIGKILL');
      resolve(current + 1);
    }
    child.stderr.on('data', (d) => {
      stderr = (stderr + String(d)).slice(-2000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line);
      } catch {
        return; // a stray log line
      }
      clearTimeout(timer);
      timer = setTimeout(onHang, timeoutMs);
      if (typeof message.start === 'number') current = message.start;
      else if (typeof message.uncaught === 'string') uncaught = message.uncaught;
      else {
        out.push(message as unknown as MutantResult);
        current = (message as unknown as MutantResult).index + 1;
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (finished) return;
      finished = true;
      if (code === 0) return resolve(to);
      if (uncaught !== undefined) failCurrent('uncaught', uncaught.split('\n')[0] ?? uncaught);
      else
        failCurrent(
          'abort',
          `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      resolve(current + 1);
    });
  });
}

const results: MutantResult[] = [];
const started = performance.now();
for (const format of formats) {
  let next = 0;
  while (next < count) {
    const to = Math.min(count, next + chunk);
    next = await runChunk(format, next, to, results);
    const done = results.filter((r) => r.format === format).length;
    process.stderr.write(`\r${format}: ${done}/${count}   `);
  }
  process.stderr.write('\n');
}

const outcomes: FuzzOutcome[] = [
  'loaded-finite',
  'loaded-overflow',
  'rejected',
  'rejected-non-finite',
  ...FAILURE_OUTCOMES,
];
const rows = [...tally(results)].map(([key, counts]) => [
  key,
  ...outcomes.map((o) => String(counts.get(o) ?? 0)),
]);
for (const format of formats) {
  const mine = results.filter((r) => r.format === format);
  rows.push([
    `${format} TOTAL`,
    ...outcomes.map((o) => String(mine.filter((r) => r.outcome === o).length)),
  ]);
}
const header = ['format class', ...outcomes];
const widths = header.map((h, c) =>
  Math.max(h.length, ...rows.map((r) => (r[c] as string).length)),
);
const line = (cells: string[]) =>
  cells
    .map((cell, c) =>
      c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number),
    )
    .join('  ');
console.log(
  `fuzz: ${count} mutants per format, seed ${seed}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));
const failures = results.filter((r) => FAILURE_OUTCOMES.includes(r.outcome));
for (const f of failures.slice(0, 20))
  console.log(
    `FAILED ${f.format} #${f.index} ${f.mutation}: ${f.outcome} — ${f.detail?.slice(0, 300)}`,
  );
console.log(failures.length === 0 ? 'no failures' : `${failures.length} failures`);
process.exit(failures.length === 0 ? 0 : 1);
