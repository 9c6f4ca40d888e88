/**
 * The web app's Hugging Face model id field in headless Chromium, against the CLI tests' local
 * stand-in for the Hub (given to the page as `?hf-endpoint=`): a download is recognised as the
 * model it is; a malformed id, a gated model without a token and an unknown revision are shown
 * next to the model panel with what to do; with the token the gated model downloads.
 */
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { TINY_12L } from '../../cli/test/helpers.js';
import { FakeHub, repoFromFolder } from '../../cli/test/hub-server.js';
import { buildAndServe, type ServedApp } from './serve-app.js';

const FILES = [
  'config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer.model',
  'tokenizer_config.json',
];
const hub = new FakeHub([
  repoFromFolder('fixture-org/tiny-12L', TINY_12L, FILES),
  { ...repoFromFolder('fixture-org/gated', TINY_12L, FILES), gatedToken: 'hf_fixture' },
]);
let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  await hub.start();
  app = await buildAndServe();
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await hub.stop();
});

async function openApp(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${app.url}?hf-endpoint=${encodeURIComponent(hub.url)}`);
  await page.waitForFunction(() => (document.body.dataset.state ?? 'starting') !== 'starting');
  await page.check('input[name="model"][value="local"]');
  return page;
}

/** Types `id` (and `token`) and downloads; resolves with the status line or the model error. */
async function download(page: Page, id: string, token = ''): Promise<string> {
  await page.fill('#hub-token', token);
  await page.fill('#hub-id', id);
  await page.click('#hub-fetch');
  await page.waitForFunction(
    () =>
      document.querySelector('[data-error="model"]') !== null ||
      /model, largest tensor/.test(document.getElementById('model-status')?.textContent ?? ''),
  );
  return page.evaluate(
    () =>
      document.querySelector('[data-error="model"]')?.textContent ??
      document.getElementById('model-status')?.textContent ??
      '',
  );
}

describe('web app: a Hugging Face model id', () => {
  it('downloads the model, and explains a malformed id, a gated model and an unknown revision', async () => {
    const page = await openApp();
    expect(await download(page, 'fixture-org/tiny-12L')).toMatch(
      /^fixture-org\/tiny-12L: huggingface model, largest tensor/,
    );
    expect(hub.downloads().sort()).toEqual(FILES.map((f) => `GET full ${f}`).sort());
    expect(await download(page, 'a/b/c')).toMatch(
      /"a\/b\/c" is not a Hugging Face model id: .*expected one\. A Hugging Face model id looks like org\/name/,
    );
    expect(await download(page, 'fixture-org/gated')).toMatch(
      /fixture-org\/gated is gated or private: accept its licence at .*, then give a read token/,
    );
    expect(await download(page, 'fixture-org/tiny-12L@v9')).toMatch(/revision "v9" does not exist/);
    expect(await download(page, 'fixture-org/gated', 'hf_fixture')).toMatch(
      /^fixture-org\/gated: huggingface model, largest tensor/,
    );
    await page.close();
  });
});
