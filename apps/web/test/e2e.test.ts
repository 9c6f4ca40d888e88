/**
 * The web app end to end in headless Chromium (SwiftShader WebGPU): the built app is served on
 * localhost; the page prunes the bundled stories260K with a tiny budget; the heat map and the loss
 * curve are drawn; the downloaded checkpoint is reloaded here in Node (Dawn) and must give the same
 * logits as the pruned model in the page. Then the error states: no WebGPU, no adapter, a broken
 * model file, a model too big for the adapter, and Cancel. Screenshots go to apps/web/test-results/.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import type { StreamlineReport } from '@llm-streamline/streamline';
import { getDevice } from '@llm-streamline/tensor';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../packages/streamline/test/schema-check.js';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { logitsOf } from './node-logits.js';
import { buildAndServe, type ServedApp } from './serve-app.js';

const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url));
const ASSETS = fileURLToPath(new URL('../../cli/assets/', import.meta.url));

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  await mkdir(RESULTS, { recursive: true });
  app = await buildAndServe();
  browser = await launch(chromiumArgs());
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

function launch(args: string[]): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args,
    env: { ...process.env } as Record<string, string>,
  });
}

/** Opens the app and waits until start-up (the WebGPU check) has finished. */
async function openApp(b: Browser, query = ''): Promise<Page> {
  const page = await b.newPage({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${app.url}${query}`);
  await page.waitForFunction(
    () => document.body.dataset.state !== undefined && document.body.dataset.state !== 'starting',
  );
  return page;
}

async function fill(page: Page, values: Record<string, string | number>): Promise<void> {
  for (const [id, value] of Object.entries(values)) await page.fill(`#${id}`, String(value));
}

/** A budget SwiftShader gets through in about a minute: n = 1, ffn, 64-token blocks, 1 epoch. */
const TINY = {
  layers: 1,
  'block-length': 64,
  'scoring-blocks': 4,
  'training-blocks': 8,
  'validation-blocks': 2,
  batch: 4,
  epochs: 1,
  'eval-blocks': 4,
  'new-tokens': 12,
};

describe('web app', () => {
  it('prunes stories260K, draws the heat map and loss curve, and its download reloads with identical logits', async () => {
    const page = await openApp(browser);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
    await page.check('input[name="model"][value="stories260K"]');
    await fill(page, TINY);
    await page.selectOption('#replacement', 'ffn');
    // A task file picked from this computer: the first items of the bundled task.
    const taskLines = (await readFile(join(ASSETS, 'tasks', 'story-endings.jsonl'), 'utf8'))
      .split('\n')
      .slice(0, 6);
    await page.selectOption('#task-choice', 'local');
    await page.setInputFiles('#task-file', {
      name: 'mini-endings.jsonl',
      mimeType: 'application/jsonl',
      buffer: Buffer.from(taskLines.join('\n')),
    });
    // The loss curve is drawn live, while training runs, not only at the end. The page notes its
    // state at the moment the curve first appears: asking after the fact would race the end of a
    // fast run.
    await page.evaluate(() => {
      const w = window as unknown as { lossDrawnWhile?: string; heatmapDrawnWhile?: string };
      new MutationObserver((_, observer) => {
        if (!document.querySelector('#loss svg')) return;
        w.lossDrawnWhile = document.body.dataset.state;
        observer.disconnect();
      }).observe(document.body, { childList: true, subtree: true });
      // The heat map too, as soon as scoring ends.
      new MutationObserver((_, observer) => {
        if (!document.querySelector('#heatmap svg')) return;
        w.heatmapDrawnWhile = `${document.body.dataset.state}, ${document.querySelector('#loss svg') ? 'after' : 'before'} training`;
        observer.disconnect();
      }).observe(document.body, { childList: true, subtree: true });
    });
    const t0 = performance.now();
    await page.click('#run');
    await page.waitForSelector('#loss svg', { timeout: 240_000 });
    expect(
      await page.evaluate(() => (window as unknown as { lossDrawnWhile?: string }).lossDrawnWhile),
    ).toBe('running');
    expect(
      await page.evaluate(
        () => (window as unknown as { heatmapDrawnWhile?: string }).heatmapDrawnWhile,
      ),
    ).toBe('running, before training');
    await page.screenshot({ path: join(RESULTS, 'training.png'), fullPage: true });
    await page.waitForFunction(
      () => ['done', 'failed'].includes(document.body.dataset.state ?? ''),
      null,
      {
        timeout: 240_000,
      },
    );
    console.log(
      `web e2e: prune in the page took ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(await page.textContent('#alerts')).toBe('');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
    await page.screenshot({ path: join(RESULTS, 'done.png'), fullPage: true });

    const report = (await page.evaluate(() => window.__llmStreamline.report)) as StreamlineReport;
    const L = report.model.layers;
    expect(L).toBe(5);
    expect(report.result.layers).toBe(L - 1);

    // Heat map: one scored cell per window (j, m) of every scored size m, values as in the report.
    const heatmap = await page.$('#heatmap svg');
    const box = await heatmap?.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(50);
    const cells = await page.$$eval('#heatmap svg rect[data-value]', (rects) =>
      rects.map((r) => ({
        m: Number(r.getAttribute('data-m')),
        j: Number(r.getAttribute('data-j')),
        v: Number(r.getAttribute('data-value')),
      })),
    );
    const sizes = Object.keys(report.scores).map(Number);
    expect(sizes).toContain(1);
    expect(sizes).toContain(2);
    expect(cells.length).toBe(sizes.reduce((n, m) => n + (L - m + 1), 0));
    for (const c of cells) expect(c.v).toBe(report.scores[c.m]?.[c.j]);
    // The whole triangle is drawn (rows m = 1…L−1), scored or hatched.
    expect(await page.$$eval('#heatmap svg rect[data-m]:not([data-window])', (r) => r.length)).toBe(
      (L * (L + 1)) / 2 - 1,
    );

    // Loss curve: non-empty, and the report holds the steps it draws (8 blocks / 4 per batch × 1 epoch).
    const lossBox = await (await page.$('#loss svg'))?.boundingBox();
    expect(lossBox?.width).toBeGreaterThan(100);
    expect(report.training?.stepLoss.length).toBe(2);
    expect(await page.$('#perplexity svg')).not.toBeNull();
    expect(report.perplexity?.original).toBeGreaterThan(1);
    // Task accuracy of the three models, drawn as the report's table from the same figures.
    const task = report.tasks?.tasks[0];
    expect(task?.task).toBe('mini-endings');
    expect(task?.items).toBe(6);
    const pct = (x = Number.NaN) => `${(100 * x).toFixed(2)}%`;
    const taskRows = await page.$$eval('#tasks table tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')),
    );
    expect(taskRows.map((r) => r[1])).toEqual(
      (['original', 'none', 'replaced'] as const).map(
        (m) => `${pct(task?.accuracy[m]?.acc)} / ${pct(task?.accuracy[m]?.accNorm)}`,
      ),
    );
    expect(await page.textContent('#generation-original')).toMatch(/^Once upon a time.+/);
    expect(await page.textContent('#generation-pruned')).toMatch(/^Once upon a time.+/);

    // "Generate again": the original is reloaded from the same files, so with greedy decoding it
    // must say exactly what it said before the run.
    const firstOriginal = await page.textContent('#generation-original');
    await page.click('#generate');
    await page.waitForFunction(
      () => !document.querySelector('#generate')?.hasAttribute('disabled'),
    );
    expect(await page.textContent('#generation-original')).toBe(firstOriginal);
    expect(await page.textContent('#alerts')).toBe('');

    // Downloads: every file through the browser's download path.
    const dir = await mkdtemp(join(tmpdir(), 'llms-web-download-'));
    try {
      const links = await page.$$('#download-list a');
      for (const link of links) {
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        await download.saveAs(join(dir, download.suggestedFilename()));
      }
      const names = (await readdir(dir)).sort();
      expect(names).toEqual(
        expect.arrayContaining([
          'config.json',
          'model.safetensors',
          'report.html',
          'streamline.json',
          'tokenizer.model',
        ]),
      );
      const saved = JSON.parse(
        await readFile(join(dir, 'streamline.json'), 'utf8'),
      ) as StreamlineReport;
      expect(saved.window).toEqual(report.window);
      expect(schemaErrors(saved)).toEqual([]);
      expect(saved.provenance.tool).toBe('@llm-streamline/web');

      // Reload in Node and compare logits with the page's pruned model on the same tokens.
      await getDevice();
      const reloaded = await loadModelFromPath(dir);
      const original = await loadModelFromPath(join(ASSETS, 'stories260K', 'stories260K.bin'));
      try {
        expect(reloaded.model.layers.length).toBe(L - 1);
        const ids =
          reloaded.tokenizer?.encode('Once upon a time, there was a little dog named Spot.', {
            bos: true,
          }) ?? [];
        expect(ids.length).toBeGreaterThan(8);
        const inPage = await page.evaluate(
          (tokens) => window.__llmStreamline.prunedLogits?.(tokens),
          ids,
        );
        const inNode = await logitsOf(reloaded.model, ids);
        const unpruned = await logitsOf(original.model, ids);
        expect(inPage?.length).toBe(ids.length * reloaded.config.vocabSize);
        expect(maxAbsDiff(inPage ?? [], inNode)).toBeLessThan(1e-4);
        // …and pruning changed the model: the comparison could have failed.
        expect(maxAbsDiff(unpruned, inNode)).toBeGreaterThan(1e-2);
      } finally {
        reloaded.model.dispose();
        original.model.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await page.close();
    }
  });

  it('recognises a Hugging Face folder picked with the folder input', async () => {
    const page = await openApp(browser);
    try {
      await page.check('input[name="model"][value="local"]');
      await page.setInputFiles('#model-folder', join(ASSETS, 'tinystories-12L'));
      await page.waitForFunction(() =>
        document.querySelector('#model-status')?.textContent?.includes('largest tensor'),
      );
      // tinystories-12L: vocabulary 512 × hidden 128, float32.
      expect(await page.textContent('#model-status')).toBe(
        'tinystories-12L: huggingface model, largest tensor model.embed_tokens.weight (256.0 KiB).',
      );
      expect(await page.textContent('#alerts')).toBe('');
    } finally {
      await page.close();
    }
  });

  it('labels every control, works from the keyboard and fits a phone-sized screen', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    try {
      await page.goto(app.url);
      await page.waitForFunction(() => document.body.dataset.state === 'idle');
      const unlabelled = await page.$$eval('input, select, button, progress', (els) =>
        els
          .filter((el) => {
            const labels = (el as HTMLInputElement).labels;
            const named = (labels && labels.length > 0) || el.getAttribute('aria-label');
            return !named && !(el instanceof HTMLButtonElement && el.textContent?.trim());
          })
          .map((el) => el.outerHTML),
      );
      expect(unlabelled).toEqual([]);
      // No horizontal scrolling on a narrow screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        375,
      );
      // Keyboard: Tab reaches the model choice, arrow keys change it.
      await page.focus('input[name="model"][value="stories260K"]');
      await page.keyboard.press('ArrowDown');
      expect(await page.isChecked('input[name="model"][value="tinystories-12L"]')).toBe(true);
      await page.keyboard.press('ArrowDown');
      expect(await page.isVisible('#model-folder')).toBe(true);
      await page.screenshot({ path: join(RESULTS, 'narrow.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('says so when the browser has no WebGPU at all', async () => {
    // A browser without WebGPU (or a page not in a secure context) has no navigator.gpu.
    const page = await browser.newPage();
    try {
      await page.addInitScript(() => {
        delete (Navigator.prototype as { gpu?: unknown }).gpu;
      });
      await page.goto(app.url);
      await page.waitForFunction(() => document.body.dataset.state === 'no-webgpu');
      expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
      expect(await page.textContent('[role="alert"]')).toContain(
        'WebGPU is not available in this browser',
      );
      expect(await page.isDisabled('#run')).toBe(true);
      await page.screenshot({ path: join(RESULTS, 'no-webgpu.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('says so when WebGPU finds no adapter (Chromium without --enable-unsafe-webgpu)', async () => {
    const b = await launch([]);
    try {
      const page = await openApp(b);
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('no-webgpu');
      expect(await page.textContent('[role="alert"]')).toContain('could not get a GPU adapter');
      await page.screenshot({ path: join(RESULTS, 'no-adapter.png'), fullPage: true });
    } finally {
      await b.close();
    }
  });

  it('says next to the field when the model cannot take the settings, before any compute', async () => {
    const page = await openApp(browser);
    try {
      await page.check('input[name="model"][value="stories260K"]');
      await fill(page, { ...TINY, layers: 9 });
      await page.click('#run');
      await page.waitForFunction(() => document.body.dataset.state === 'failed');
      expect(await page.textContent('#layers-error')).toContain('cannot remove 9 of 5 layers');
      expect(await page.getAttribute('#layers', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#layers', 'aria-describedby')).toBe('layers-error');
      // Nothing ran: the original model did not generate.
      expect(await page.textContent('#generation-original')).toBe('');
      // A fitting value clears it on the next run.
      await fill(page, { layers: 1, epochs: 1 });
      await page.click('#run');
      await page.waitForFunction(() => document.body.dataset.state === 'running');
      expect(await page.isHidden('#layers-error')).toBe(true);
      await page.click('#cancel');
      await page.waitForFunction(() => document.body.dataset.state === 'cancelled');
    } finally {
      await page.close();
    }
  });

  it('names a broken model file and what was expected', async () => {
    const page = await openApp(browser);
    try {
      await page.check('input[name="model"][value="local"]');
      await page.setInputFiles('#model-files', {
        name: 'broken.gguf',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('this is not a model, just forty bytes..'),
      });
      await page.waitForSelector('[data-error="model"]');
      const message = await page.textContent('[data-error="model"]');
      expect(message).toContain('broken.gguf: not a GGUF file');
      await page.setInputFiles('#model-files', {
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('hello'),
      });
      await page.waitForFunction(() =>
        document.querySelector('[data-error="model"]')?.textContent?.includes('notes.txt'),
      );
      expect(await page.textContent('[data-error="model"]')).toContain(
        'Expected a Hugging Face folder',
      );
      // The same through the drop area (a drop event carrying a File, as a file manager sends it).
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(16).fill(7)], 'dropped.gguf'));
        document
          .getElementById('drop-zone')
          ?.dispatchEvent(
            new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
          );
      });
      await page.waitForFunction(() =>
        document.querySelector('[data-error="model"]')?.textContent?.includes('dropped.gguf'),
      );
      expect(await page.textContent('[data-error="model"]')).toContain(
        'dropped.gguf: not a GGUF file',
      );
      expect(await page.$$('[data-error]')).toHaveLength(1);
      await page.screenshot({ path: join(RESULTS, 'invalid-file.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('refuses a model whose largest tensor exceeds the adapter limits, naming the tensor', async () => {
    // stories260K's largest tensor is the 512 × 64 embedding (llama2.c name), 128 KiB as float32.
    const page = await openApp(browser, '?maxBufferBytes=65536');
    try {
      await page.click('#run');
      await page.waitForFunction(() => document.body.dataset.state === 'failed');
      const message = await page.textContent('[role="alert"]');
      expect(message).toContain('too big for this WebGPU adapter');
      expect(message).toContain('token_embedding_table [512 × 64]');
      expect(message).toContain('128.0 KiB');
      expect(message).toContain('64.0 KiB too much');
      await page.screenshot({ path: join(RESULTS, 'too-big.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('cancels a run while the replacement trains, from the keyboard', async () => {
    const page = await openApp(browser);
    try {
      // Enough training steps that Cancel lands in the middle of training.
      await fill(page, { ...TINY, 'training-blocks': 64, epochs: 4 });
      await page.focus('#run');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () =>
          document
            .querySelector('#progress-text')
            ?.textContent?.startsWith('Training the replacement'),
        null,
        { timeout: 120_000 },
      );
      await page.focus('#cancel');
      await page.keyboard.press('Space');
      await page.waitForFunction(() => document.body.dataset.state === 'cancelled', null, {
        timeout: 60_000,
      });
      expect(await page.textContent('#progress-text')).toContain('Cancelled');
      expect(await page.textContent('#alerts')).toBe('');
      expect(await page.evaluate(() => window.__llmStreamline.report)).toBeUndefined();
      expect(await page.$$('#download-list a')).toHaveLength(0);
      expect(await page.isEnabled('#run')).toBe(true);
      await page.screenshot({ path: join(RESULTS, 'cancelled.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}
