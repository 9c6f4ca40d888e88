/**
 * Issue 17's "must show" figures for signals and disks, run for real: `prune` on stories260K with
 * tiny budgets, stopped at seeded points of seeded stages, through `npm run llm-streamline`
 * (default) or the bin. Each line is one run; the summary counts runs with the right exit code, no
 * output folder, no staging folder, no temporary files and unchanged inputs.
 *
 *   node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx \
 *     apps/cli/scripts/signal-figures.mts [--sigint 20] [--sigterm 10] [--double 5] [--sighup 0]
 *     [--launch npm|bin] [--seed 17] [--no-disk]
 *
 * The disk part (SIGKILL then a new run; full disk; full TMPDIR; read-only --out) mounts tmpfs
 * and needs root; it reports "skipped" with the reason otherwise. Exit 1 if any run failed.
 */
import { parseArgs } from 'node:util';
import {
  type DiskRun,
  fullDiskRun,
  fullTmpdirRun,
  killThenRerun,
  readOnlyRun,
} from '../test/scenario-runs.js';
import { type Delivery, type Launch, seededPoint, signalRun } from '../test/signal-runs.js';

const { values } = parseArgs({
  options: {
    sigint: { type: 'string', default: '20' },
    sigterm: { type: 'string', default: '10' },
    double: { type: 'string', default: '5' },
    sighup: { type: 'string', default: '0' },
    launch: { type: 'string', default: 'npm' },
    seed: { type: 'string', default: '17' },
    'no-disk': { type: 'boolean', default: false },
  },
});
const launch = values.launch as Launch;
if (launch !== 'npm' && launch !== 'bin')
  throw new Error(`--launch must be npm or bin, got ${launch}`);
const seed = Number(values.seed);

const plan: [Delivery, number][] = [
  ['SIGINT', Number(values.sigint)],
  ['SIGTERM', Number(values.sigterm)],
  ['double-SIGINT', Number(values.double)],
  ['SIGHUP', Number(values.sighup)],
];
const summary: string[] = [];
let failed = 0;
let index = 0;
for (const [delivery, count] of plan) {
  let ok = 0;
  let fast = 0;
  for (let i = 0; i < count; i++) {
    const point = seededPoint(seed, index++);
    const r = await signalRun({ launch, delivery, ...point });
    if (r.ok) ok++;
    const quick = delivery === 'double-SIGINT' && !/llm-streamline: cancelled/.test(r.stderr);
    if (quick) fast++;
    console.log(
      `${launch} ${delivery.padEnd(13)} ${String(point.delayMs).padStart(3)} ms into ${point.stage.padEnd(10)} ` +
        `exit ${r.code} (want ${r.expectedCode}) output ${r.outputExists ? 'LEFT' : 'none'} ` +
        `leftovers ${r.leftovers.length ? r.leftovers.join(',') : 'none'} inputs ${r.inputsUnchanged ? 'unchanged' : 'CHANGED'}` +
        `${delivery === 'double-SIGINT' ? ` second ${r.secondSent ? (quick ? 'sent, quit at once' : 'sent, stop already under way') : 'not needed (already stopped)'}` : ''}` +
        ` ${r.ok ? 'ok' : `FAIL${r.sent ? (r.acknowledged ? '' : ' (the signal came after the run had finished)') : ' (stage not reached)'}\n${r.stderr}`}`,
    );
  }
  if (count > 0)
    summary.push(
      `${delivery}: ${ok}/${count}${delivery === 'double-SIGINT' ? ` (${fast} ended by the second signal)` : ''}`,
    );
  failed += count - ok;
}

function diskLine(name: string, r: DiskRun): string {
  if (r.skipped) return `${name}: skipped (${r.skipped})`;
  if (!r.ok) failed++;
  const message = r.stderr?.split('\n').find((l) => l.startsWith('llm-streamline:')) ?? '';
  return `${name}: ${r.ok ? 'ok' : 'FAIL'}, exit ${r.code}, left ${r.left?.length ? r.left.join(',') : 'nothing'}\n  ${message}`;
}

if (!values['no-disk']) {
  const k = await killThenRerun(launch);
  if (!k.ok) failed++;
  summary.push(
    `SIGKILL then a new run: ${k.ok ? 'ok' : 'FAIL'}; after the kill ${k.afterKill.parent.join(',')} ` +
      `and ${k.afterKill.tmp.join(',')}; after the new run (exit ${k.rerun.code}) parent [${k.afterRerun.parent.join(',')}], TMPDIR [${k.afterRerun.tmp.join(',')}]`,
  );
  summary.push(diskLine('full disk (4 MiB tmpfs --out)', await fullDiskRun(launch)));
  summary.push(diskLine('full TMPDIR (64 KiB tmpfs)', await fullTmpdirRun(launch)));
  summary.push(diskLine('read-only --out folder', await readOnlyRun(launch)));
}
console.log(`\nthrough ${launch === 'npm' ? 'npm run llm-streamline' : 'the bin'}, seed ${seed}:`);
for (const line of summary) console.log(line);
process.exit(failed > 0 ? 1 : 0);
