/**
 * Signals, stale staging, full disk and read-only output, end to end as a user meets them:
 * `prune` through `npm run llm-streamline` (npm → scripts/run.mjs → the CLI) and through the bin,
 * stopped at seeded points of seeded stages (signal-runs.ts). Each run must exit with 128 + the
 * signal's number and leave no output folder, no staging folder, no temporary files (private
 * TMPDIR) and its inputs unchanged. A few runs here (~1–2 min); scripts/signal-figures.mts runs the
 * issue's full counts. LLMS_SIGNAL_SEED picks other points.
 */
import { describe, expect, it } from 'vitest';
import { fullDiskRun, fullTmpdirRun, killThenRerun, readOnlyRun } from './scenario-runs.js';
import { type Delivery, type Launch, seededPoint, signalRun } from './signal-runs.js';

const SEED = Number(process.env.LLMS_SIGNAL_SEED ?? 17);

const CASES: [Launch, Delivery][] = [
  ['npm', 'SIGINT'],
  ['npm', 'SIGTERM'],
  ['npm', 'double-SIGINT'],
  ['bin', 'SIGTERM'],
  ['bin', 'SIGHUP'],
];

describe('prune stopped by a signal leaves nothing behind', () => {
  CASES.forEach(([launch, delivery], i) => {
    const point = seededPoint(SEED, i);
    it(`${launch}: ${delivery} ${point.delayMs} ms into ${point.stage}`, async () => {
      const r = await signalRun({ launch, delivery, ...point });
      const context = `${r.stderr.split('\n').slice(-4).join('\n')}`;
      expect(r.sent, context).toBe(true);
      expect(r.code, context).toBe(r.expectedCode);
      expect(r.outputExists).toBe(false);
      expect(r.leftovers).toEqual([]);
      expect(r.inputsUnchanged).toBe(true);
    });
  });
});

describe('a run killed with SIGKILL', () => {
  it('leaves a staging folder and pair spill that the next run into the same parent removes', async () => {
    const r = await killThenRerun('bin');
    expect(r.afterKill.parent).toEqual([expect.stringMatching(/^\.pruned\.partial-/)]);
    // Training and validation pairs: one spill folder each.
    expect(r.afterKill.tmp.length).toBeGreaterThan(0);
    for (const n of r.afterKill.tmp) expect(n).toMatch(/^llm-streamline-pairs-/);
    expect(r.rerun.code, r.rerun.stderr).toBe(0);
    expect(r.afterRerun).toEqual({ parent: ['pruned'], tmp: [] });
    expect(r.ok).toBe(true);
  });
});

describe('output preflight', () => {
  it('a full disk (4 MiB tmpfs) is reported before any compute, naming --out; nothing is left', async (ctx) => {
    const r = await fullDiskRun('bin');
    if (r.skipped) return ctx.skip(r.skipped);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot write --out ${r.out}: it needs about `);
    expect(r.stderr).toMatch(/free \(ENOSPC\); nothing was computed — free some space there/);
    expect(r.stderr).not.toMatch(/^scoring/m);
    expect(r.left).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('a full TMPDIR while spilling training pairs: the message names it and the fix; nothing is left', async (ctx) => {
    const r = await fullTmpdirRun('bin');
    if (r.skipped) return ctx.skip(r.skipped);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /^llm-streamline: cannot write the temporary training pairs .*pairs\.f32: no space left on the device \(ENOSPC\) — .*TMPDIR/m,
    );
    expect(r.left).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('a read-only output folder: the message names --out and the reason, before loading', async (ctx) => {
    const r = await readOnlyRun('bin');
    if (r.skipped) return ctx.skip(r.skipped);
    expect(r.code).toBe(1);
    expect(r.stderr?.trim()).toMatch(
      /^llm-streamline: cannot write --out \S+\/sub\/pruned: read-only file system \(EROFS\) \(at \S+\/sub\) — choose --out on a writable disk$/,
    );
    expect(r.left).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
