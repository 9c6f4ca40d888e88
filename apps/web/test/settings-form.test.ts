/**
 * The Settings form is generated from the registries: a metric and a replacement kind added in one
 * file each (the CLI's test fixtures) plus one registry line each appear in the page's form, with
 * their option fields, and reading the form hands their options to the pipeline, without a line of
 * web code. The page's own index.html, and its form code with the two registrations
 * (settings-form-entry.ts) bundled by Vite, run in headless Chromium.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright';
import { build, defaultClientConditions, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../../vitest.shared.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** settings-form-entry.ts and what it imports, as one script for the page. */
async function bundle(): Promise<string> {
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    resolve: { conditions: ['@llm-streamline/source', ...defaultClientConditions] },
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: here('./settings-form-entry.ts'), formats: ['iife'], name: 'settingsFormTest' },
    },
  })) as Rolldown.RolldownOutput[];
  const chunk = out[0]?.output.find((o) => o.type === 'chunk');
  return chunk?.type === 'chunk' ? chunk.code : '';
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  const [script, html] = await Promise.all([bundle(), readFile(here('../index.html'), 'utf8')]);
  browser = await chromium.launch({ executablePath: chromiumPath() });
  page = await browser.newPage();
  // The page's markup without its own scripts and styles: only the form is under test.
  await page.setContent(html.replace(/<script[^>]*><\/script>|<link rel="stylesheet"[^>]*>/g, ''));
  await page.addScriptTag({ content: script });
});

afterAll(async () => {
  await browser?.close();
});

const optionValues = (select: string) =>
  page.$$eval(`${select} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));

describe('settings form', () => {
  it('offers every registered metric and kind, the added ones included', async () => {
    expect(await optionValues('#metric')).toEqual([
      'cosine',
      'angular',
      'bi',
      'ppl',
      'cosine-power',
    ]);
    expect(await optionValues('#replacement')).toEqual([
      'none',
      'layer',
      'ffn',
      'linear',
      'narrow-ffn',
    ]);
    expect(await page.inputValue('#metric')).toBe('cosine');
    expect(await page.inputValue('#replacement')).toBe('ffn');
  });

  it('starts from the browser preset over the shared defaults', async () => {
    expect(await page.inputValue('#block-length')).toBe('128');
    expect(await page.inputValue('#scoring-blocks')).toBe('16');
    expect(await page.inputValue('#batch')).toBe('8');
    expect(await page.inputValue('#lr')).toBe('0.001');
  });

  it("shows a kind's and a metric's own fields while chosen, and reads them into their options", async () => {
    expect(await page.isHidden('#narrow-width')).toBe(true);
    expect(await page.isVisible('#ffn-init')).toBe(true);
    await page.selectOption('#replacement', 'narrow-ffn');
    await page.selectOption('#metric', 'cosine-power');
    expect(await page.isVisible('#narrow-width')).toBe(true);
    expect(await page.isHidden('#ffn-init')).toBe(true);
    expect(await page.inputValue('#narrow-width')).toBe('16');
    expect(await page.textContent('label[for="narrow-width"]')).toBe('Narrow FFN width');
    await page.fill('#narrow-width', '24');
    await page.fill('#cosine-power', '3');
    const settings = await page.evaluate(() =>
      (window as never as { readSettings(): unknown }).readSettings(),
    );
    expect(settings).toMatchObject({
      options: { metric: 'cosine-power', replacement: 'narrow-ffn', blockLength: 128, epochs: 2 },
      metricOptions: { power: 3 },
      replacementOptions: { width: 24 },
    });
    await page.fill('#narrow-width', '0');
    await expect(
      page.evaluate(() => (window as never as { readSettings(): unknown }).readSettings()),
    ).rejects.toThrow('Narrow FFN width: expected a whole number ≥ 1, got "0".');
  });
});
