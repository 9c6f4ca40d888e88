/**
 * `prune` end to end on stories260K with tiny budgets: the output folder holds a checkpoint that
 * reloads with L − n layers, a streamline.json consistent with it, and a report.html that renders
 * its three charts in headless Chromium without errors. Ctrl-C mid-run and an existing output
 * leave the file system as it was.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import type { StreamlineReport } from '@llm-streamline/streamline';
import { getDevice } from '@llm-streamline/tensor';
import { chromium } from 'playwright';
import { beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../packages/streamline/test/schema-check.js';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import {
  HELDOUT,
  jsonResult,
  runCli,
  STORIES_BIN,
  smallQwen2Checkpoint,
  startCli,
  TINY,
  tempDir,
} from './helpers.js';

let out: string;
let result: {
  outDir: string;
  checkpoint: boolean;
  files: { name: string }[];
  report: StreamlineReport;
};

/** A small task file of our own, scored by the three models (the bundled one is slow here). */
const TASK_LINES = [
  {
    context: 'Once upon a time, there was a little',
    choices: ['girl.', 'moon cheese table.'],
    gold: 0,
  },
  {
    context: 'Tom and Sue went to the park. They played on the',
    choices: ['swings.', 'car.', 'sad.'],
    gold: 0,
  },
  { context: 'Lily was sad because she lost her', choices: ['the a the.', 'doll.'], gold: 1 },
];
let taskFile: string;

beforeAll(async () => {
  const dir = await tempDir();
  out = join(dir, 'pruned');
  taskFile = join(dir, 'mini.jsonl');
  await writeFile(taskFile, TASK_LINES.map((l) => JSON.stringify(l)).join('\n'));
  const run = await runCli([
    'prune',
    STORIES_BIN,
    '--out',
    out,
    ...TINY,
    '--replacement',
    'ffn',
    '--eval-data',
    HELDOUT,
    '--eval-blocks',
    '3',
    // The tiny budget (2 steps) is for the files and their reload, not for a winning replacement.
    '--keep',
    'replaced',
    '--tasks',
    taskFile,
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  // The warning comes before the run, as a note (a JSON line in --json mode).
  expect(run.stdout).toMatch(
    /"type":"note","message":"warning: training budget: 1 epoch\(s\)[^"]*= 2 optimiser steps/,
  );
  result = jsonResult(run);
});

describe('prune', () => {
  it('writes the checkpoint, tokenizer, streamline.json and report.html', async () => {
    const files = (await readdir(out)).sort();
    expect(files).toEqual([
      'config.json',
      'model.safetensors',
      'report.html',
      'streamline.json',
      'tokenizer.model',
    ]);
    expect(result.checkpoint).toBe(true);
    expect(result.files.map((f) => f.name)).toEqual(files);
    // The tokenizer is the SentencePiece model found beside the .bin, byte for byte.
    expect(await readFile(join(out, 'tokenizer.model'))).toEqual(
      await readFile(join(dirname(STORIES_BIN), 'tok512.model')),
    );
  });

  it('records a report consistent with the written model, which reloads with L − n layers', async () => {
    const report = JSON.parse(
      await readFile(join(out, 'streamline.json'), 'utf8'),
    ) as StreamlineReport;
    expect(report).toEqual(result.report);
    expect(schemaErrors(report)).toEqual([]);
    expect(report.provenance.tool).toBe('llm-streamline');
    expect(report.provenance.command?.slice(0, 4)).toEqual(['prune', STORIES_BIN, '--out', out]);
    expect(report.removedLayers).toEqual([report.window.start, report.window.start + 1]);
    expect(report.layersRemoved).toBe(1);
    expect(report.window.size).toBe(2);
    expect(report.replacement.kind).toBe('ffn');
    expect(report.keep).toMatchObject({ mode: 'replaced', kept: 'replaced' });
    expect(report.keep?.validationLoss?.blocks).toBe(2);
    expect(report.model.layers).toBe(5);
    expect(report.result.layers).toBe(4);
    expect(report.calibration).toMatchObject({
      blockLength: 64,
      scoringBlocks: 4,
      trainingBlocks: 8,
      validationBlocks: 2,
    });
    expect(report.training?.epochLoss).toHaveLength(1);
    expect(report.perplexity?.blocks).toBe(3);
    for (const k of ['original', 'none', 'replaced'] as const)
      expect(report.perplexity?.[k]).toBeGreaterThan(1);
    // ShortGPT for the same n is compared by default; the ppl window only with --ppl-baseline.
    expect(report.baselines?.map((b) => [b.method, b.layers.length])).toEqual([['short-gpt', 1]]);
    expect(report.baselines?.[0]?.perplexity).toBeGreaterThan(1);
    // The task, scored by the three models (llm's scorer is checked against naive sums there, and
    // streamline's records against it); here: the CLI passes it through and the record is whole.
    expect(report.tasks?.blockLength).toBe(64);
    expect(report.tasks?.tasks.map((t) => [t.task, t.items, t.format])).toEqual([
      ['mini', 3, 'generic'],
    ]);
    for (const k of ['original', 'none', 'replaced'] as const) {
      const a = report.tasks?.tasks[0]?.accuracy[k];
      expect([0, 1 / 3, 2 / 3, 1]).toContain(a?.acc);
      expect(report.tasks?.average[k]).toEqual(a);
    }
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.num_hidden_layers).toBe(4);

    await getDevice();
    const reloaded = await loadModelFromPath(out);
    expect(reloaded.model.layers.length).toBe(4);
    // The ffn block is saved as a decoder layer whose attention is zero (o_proj = 0): on reload it
    // carries one layer's attention and input norm on top of the report's count.
    const c = reloaded.config;
    const attention =
      2 * c.hiddenSize * c.numHeads * c.headDim + 2 * c.hiddenSize * c.numKvHeads * c.headDim;
    expect(reloaded.model.parameterCount()).toBe(
      report.result.parameters + attention + c.hiddenSize,
    );
    expect(reloaded.tokenizer?.encode('Once upon a time', { bos: true })).toEqual([
      1, 403, 407, 261, 378,
    ]);
    reloaded.model.dispose();
  });

  it('eval on the output defaults to the text and block length its streamline.json recorded', async () => {
    const run = await runCli(['eval', out, '--blocks', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `"message":"evaluation text from ${join(out, 'streamline.json')}: ${HELDOUT}, blocks of 64 tokens"`,
    );
    const r = jsonResult<{ data: string; blockLength: number; blocks: number; perplexity: number }>(
      run,
    );
    expect(r).toMatchObject({ data: HELDOUT, blockLength: 64, blocks: 2 });
    expect(r.perplexity).toBeGreaterThan(1);

    // A copy whose recorded text is gone: an error that says to give --data.
    const copy = join(await tempDir(), 'copy');
    await mkdir(copy);
    for (const f of await readdir(out))
      await writeFile(join(copy, f), await readFile(join(out, f)));
    const report = JSON.parse(await readFile(join(copy, 'streamline.json'), 'utf8'));
    report.perplexity.source = join(copy, 'gone.txt');
    await writeFile(join(copy, 'streamline.json'), JSON.stringify(report));
    const gone = await runCli(['eval', copy]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(
      `eval: the evaluation text recorded in ${join(copy, 'streamline.json')} (${join(copy, 'gone.txt')}) is not a file here — give --data TEXT`,
    );
  });

  it('writes a report.html that opens in headless Chromium without errors and shows its charts', async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(`file://${join(out, 'report.html')}`);
      await page.waitForLoadState('load');
      for (const section of ['scores', 'training', 'perplexity']) {
        const svg = page.locator(`#${section} svg`).first();
        const box = await svg.boundingBox();
        expect(box, `#${section} svg`).not.toBeNull();
        expect(box?.width).toBeGreaterThan(100);
        expect(box?.height).toBeGreaterThan(50);
        // A chart draws something: shapes beyond its frame.
        expect(
          await page.locator(`#${section} svg :is(rect, path, line, polyline, circle)`).count(),
        ).toBeGreaterThan(3);
      }
      expect(errors).toEqual([]);
      // No two texts of a chart overlap, on a wide and a phone-sized page (the colour bar's tick
      // labels once ran into its end labels: "0.80.9726").
      for (const width of [1200, 400]) {
        await page.setViewportSize({ width, height: 900 });
        const overlaps = await page.evaluate(() => {
          const found: string[] = [];
          for (const svg of Array.from(document.querySelectorAll('svg'))) {
            const boxes = Array.from(svg.querySelectorAll('text'))
              .map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }))
              .filter((b) => b.r.width > 0 && b.r.height > 0);
            boxes.forEach((a, i) => {
              for (const b of boxes.slice(i + 1)) {
                const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
                const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
                if (w > 1 && h > 1)
                  found.push(`${svg.closest('section')?.id}: "${a.text}" × "${b.text}"`);
              }
            });
          }
          return found;
        });
        await page.screenshot({ path: join(out, `..`, `report-${width}.png`), fullPage: true });
        expect(overlaps, `page width ${width}`).toEqual([]);
      }
    } finally {
      await browser.close();
    }
  });

  it('prunes a BF16 checkpoint held in 16 bits and writes it back in BF16, architecture kept', async () => {
    const input = await smallQwen2Checkpoint(4);
    const pruned = join(await tempDir(), 'qwen2-pruned');
    const run = await runCli([
      'prune',
      input,
      '--out',
      pruned,
      ...TINY,
      '--data',
      HELDOUT,
      '--no-eval',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const written = JSON.parse(await readFile(join(pruned, 'config.json'), 'utf8'));
    expect(written).toMatchObject({
      model_type: 'qwen2',
      torch_dtype: 'bfloat16',
      num_hidden_layers: 3,
    });
    await getDevice();
    const reloaded = await loadModelFromPath(pruned);
    expect(reloaded.model.weightsDtype).toBe('bf16');
    for (const [name, t] of reloaded.model.stateDict())
      expect(t.dtype, name).toBe(t.rank === 2 ? 'bf16' : 'f32');
    reloaded.model.dispose();
  });

  it('refuses an existing output folder without --force, and leaves it untouched', async () => {
    const dir = join(await tempDir(), 'exists');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'mine');
    const run = await runCli(['prune', STORIES_BIN, '--out', dir, ...TINY, '--no-eval']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^llm-streamline: .*exists\b.* — .*--force/m);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['keep.txt']);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('stops before any compute on a task choice longer than the block length, naming its line', async () => {
    const parent = await tempDir();
    const file = join(parent, 'long.jsonl');
    const long = 'and then they played and laughed and ran '.repeat(4).trim();
    await writeFile(
      file,
      [TASK_LINES[0], { context: 'Tom', choices: ['ran.', long], gold: 0 }]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const target = join(parent, 'pruned');
    const run = await runCli([
      'prune',
      STORIES_BIN,
      '--out',
      target,
      ...TINY,
      '--block-length',
      '16',
      '--tasks',
      file,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--tasks ${file}:2: choice 1: the continuation has`);
    expect(run.stderr).toContain('use a larger --block-length or a shorter choice');
    expect(run.stderr).not.toMatch(/^scoring/m); // nothing was computed
    expect(await readdir(parent)).toEqual(['long.jsonl']);
  });

  it('stops on Ctrl-C mid-run with exit 130 and leaves no output (nor staging folder)', async () => {
    const parent = await tempDir();
    const target = join(parent, 'cancelled');
    let sent = false;
    const { done } = startCli(
      ['prune', STORIES_BIN, '--out', target, ...TINY, '--epochs', '200', '--no-eval'],
      {
        onStderr: (text, child) => {
          if (!sent && /^training/m.test(text)) {
            sent = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    const run = await done;
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/llm-streamline: cancelled; nothing was written/);
    expect(await stat(target).catch(() => undefined)).toBeUndefined();
    expect(await readdir(parent)).toEqual([]);
  });
});
