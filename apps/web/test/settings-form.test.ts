/**
 * The Settings form is generated from the registries: a metric and a replacement kind added in one
 * file each (the CLI's test fixtures) plus one registry line each appear in the page's form, with
 * their option fields, and reading the form hands their options to the pipeline, without a line of
 * web code. The page's own index.html, and its form code with the two registrations
 * (settings-form-entry.ts) bundled by Vite, run in headless Chromium.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MemoryBudgetError } from '@llm-streamline/llm';
import { type Browser, chromium, type Page } from 'playwright';
import { build, defaultClientConditions, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../../vitest.shared.js';
import {
  defaultDeviceMemory,
  defaultDeviceMemoryText,
  inPageTerms,
  readDeviceMemory,
} from '../src/device-memory.js';

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

const readSettings = () =>
  page.evaluate(() =>
    (window as never as { readSettings(): Record<string, unknown> }).readSettings(),
  );

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
      options: {
        metric: 'cosine-power',
        replacement: 'narrow-ffn',
        blockLength: 128,
        epochs: 4,
        keep: 'best',
      },
      metricOptions: { power: 3 },
      replacementOptions: { width: 24 },
    });
    await page.fill('#narrow-width', '0');
    await expect(
      page.evaluate(() => (window as never as { readSettings(): unknown }).readSettings()),
    ).rejects.toThrow('Narrow FFN width: expected a whole number ≥ 1, got "0".');
  });
});

describe('the Device memory setting', () => {
  const MiB = 2 ** 20;
  const GiB = 2 ** 30;
  const SIZE_ERROR =
    "Device memory must be a positive size such as 64MiB, 1.5GiB or 512MB (KiB/MiB/GiB/TiB are powers of 1024, KB/MB/GB/TB of 1000, a bare number is bytes); got 'lots'";

  it('defaults to half the computer on a CPU adapter, to no budget on a GPU or when unknown', () => {
    expect(defaultDeviceMemory({ isCpu: true }, 8)).toBe(4 * GiB);
    expect(defaultDeviceMemory({ isCpu: true }, 0.5)).toBe(256 * MiB);
    expect(defaultDeviceMemory({ isCpu: true }, undefined)).toBeUndefined();
    expect(defaultDeviceMemory({ isCpu: false }, 8)).toBeUndefined();
    expect(defaultDeviceMemoryText(4 * GiB)).toBe('4.00 GiB (default)');
    expect(defaultDeviceMemoryText(undefined)).toBe('no budget (default)');
    expect(readDeviceMemory(' 256MiB ')).toBe(256 * MiB);
    expect(readDeviceMemory('')).toBeUndefined();
    expect(() => readDeviceMemory('lots')).toThrow(SIZE_ERROR);
    // The library's budget errors speak of a budget; the page names its field.
    expect(inPageTerms(new MemoryBudgetError(8 * MiB, 10.2 * MiB, 'one layer').message)).toBe(
      'device memory budget 8.00 MiB is too small: one layer needs at least 10.2 MiB; set Device memory (under More settings) to 11MiB or more, or use smaller batches or blocks',
    );
    expect(inPageTerms('(give a device memory budget the whole model fits in)')).toBe(
      '(give a Device memory (under More settings) the whole model fits in)',
    );
  });

  it('is an empty text field under More settings that says what empty means', async () => {
    // The earlier test left a kind with an invalid field chosen; the default kind ignores it.
    await page.selectOption('#replacement', 'ffn');
    await page.$eval('details.more-settings', (d) => {
      (d as HTMLDetailsElement).open = true;
    });
    expect(await page.$('#more-settings-fields #device-memory')).not.toBeNull();
    expect(await page.textContent('label[for="device-memory"]')).toBe('Device memory');
    expect(await page.inputValue('#device-memory')).toBe('');
    expect(await page.getAttribute('#device-memory', 'placeholder')).toBe('default');
    await page.evaluate((bytes) => {
      (window as never as { showDeviceMemoryDefault(b: number): void }).showDeviceMemoryDefault(
        bytes,
      );
    }, 4 * GiB);
    expect(await page.getAttribute('#device-memory', 'placeholder')).toBe('4.00 GiB (default)');
    expect((await readSettings()).deviceMemory).toBeUndefined();
  });

  it("reads a size in bytes, and shows an invalid one's error next to the field", async () => {
    await page.fill('#device-memory', '256MiB');
    expect((await readSettings()).deviceMemory).toBe(256 * MiB);
    expect(await page.isHidden('#device-memory-error')).toBe(true);

    await page.fill('#device-memory', 'lots');
    await page.dispatchEvent('#device-memory', 'change');
    expect(await page.isVisible('#device-memory-error')).toBe(true);
    expect(await page.textContent('#device-memory-error')).toBe(SIZE_ERROR);
    expect(await page.getAttribute('#device-memory', 'aria-invalid')).toBe('true');
    await expect(readSettings()).rejects.toThrow(SIZE_ERROR);

    // Fixing the value clears the error as it is typed.
    await page.fill('#device-memory', '1.5GiB');
    expect(await page.isHidden('#device-memory-error')).toBe(true);
    expect(await page.getAttribute('#device-memory', 'aria-invalid')).toBeNull();
    expect((await readSettings()).deviceMemory).toBe(1.5 * GiB);

    await page.fill('#device-memory', '');
    expect((await readSettings()).deviceMemory).toBeUndefined();
  });
});
