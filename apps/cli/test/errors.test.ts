/**
 * Bad input end to end: each case gives one line `llm-streamline: <what> — <what to do>` on
 * stderr, the right exit code (2 usage, 1 failure), no stack trace unless --verbose, and writes
 * nothing.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, STORIES_BIN, TINY, TINY_12L, tempDir } from './helpers.js';

/** Progress lines (a model loading) may come first; the error itself is one line. */
function expectOneLine(stderr: string, pattern: RegExp) {
  const all = stderr.trimEnd().split('\n');
  const lines = all.filter((l) => !/^[a-z]+( \([^)]*\))?: \d+% \d+\/\d+/.test(l));
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^llm-streamline: .+ — .+/);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('errors', () => {
  it('a missing model file: exit 1, names the path, nothing written', async () => {
    const dir = await tempDir();
    const run = await runCli(['prune', join(dir, 'nope.bin'), '--out', join(dir, 'out')]);
    expect(run.code).toBe(1);
    expectOneLine(run.stderr, /nope\.bin: no such file or folder — MODEL must be/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a corrupt safetensors header: exit 1, names the file, nothing written', async () => {
    const dir = await tempDir();
    const model = join(dir, 'broken');
    await mkdir(model);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
      await copyFile(join(TINY_12L, f), join(model, f));
    // A header length of 60 bytes followed by text that is not JSON.
    const header = new Uint8Array(8 + 60);
    new DataView(header.buffer).setBigUint64(0, 60n, true);
    header.set(
      new TextEncoder().encode('{"model.embed_tokens.weight": {"dtype": "F32", "shape": [5'),
      8,
    );
    await writeFile(join(model, 'model.safetensors'), header);
    for (const command of [
      ['inspect', model],
      ['eval', model, '--data', join(TINY_12L, 'heldout.txt')],
    ]) {
      const run = await runCli(command);
      expect(run.code).toBe(1);
      expectOneLine(run.stderr, /model\.safetensors.*(header|JSON)/i);
    }
    const out = join(dir, 'out');
    const run = await runCli(['convert', model, out]);
    expect(run.code).toBe(1);
    expect(await readdir(dir)).toEqual(['broken']);
  });

  it('a bad flag value: exit 2, names the flag, the value and what is expected', async () => {
    const dir = await tempDir();
    const cases: [string[], RegExp][] = [
      [['--layers', 'two'], /--layers must be a whole number ≥ 1, got 'two'/],
      [['--ratio', '1.5'], /--ratio must be a number > 0 and < 1, got '1\.5'/],
      [['--metric', 'euclid'], /--metric must be one of cosine, angular, bi, ppl, got 'euclid'/],
      [['--lr=-1'], /--lr must be a number > 0, got '-1'/],
      [['--lr', '-1'], /--lr needs a value \(for a value that starts with '-', write --lr=VALUE\)/],
      [['--epochs'], /--epochs needs a value/],
      [['--layers', '9'], /cannot remove 9 of 5 layers/],
      [
        ['--window-start', '4'],
        /--window-start: window start 4 is out of range: a window of m = 2 layers in a 5-layer model starts at 0…3 — give a layer from 0 to 3/,
      ],
      [['--window-start=-1'], /--window-start must be a whole number ≥ 0, got '-1'/],
    ];
    for (const [flags, pattern] of cases) {
      const run = await runCli([
        'prune',
        STORIES_BIN,
        '--out',
        join(dir, 'out'),
        ...flags,
        '--no-eval',
      ]);
      expect(run.code, flags.join(' ')).toBe(2);
      expectOneLine(run.stderr, pattern);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('an unknown flag, a missing argument, an unknown command: exit 2', async () => {
    const unknown = await runCli(['score', '--bogus']);
    expect(unknown.code).toBe(2);
    expectOneLine(unknown.stderr, /unknown flag --bogus — see 'llm-streamline score --help'/);
    const missing = await runCli(['convert', STORIES_BIN]);
    expect(missing.code).toBe(2);
    expectOneLine(missing.stderr, /convert: missing OUT/);
    const noOut = await runCli(['prune', ...TINY]);
    expect(noOut.code).toBe(2);
    expectOneLine(noOut.stderr, /prune needs --out DIR/);
    const command = await runCli(['squash']);
    expect(command.code).toBe(2);
    expectOneLine(command.stderr, /unknown command 'squash'/);
  });

  it('--verbose adds the stack trace; --json adds an error object', async () => {
    const run = await runCli(['inspect', '/nonexistent/model', '--verbose', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^llm-streamline: \/nonexistent\/model: no such file or folder/);
    expect(run.stderr).toMatch(/\n\s+at /);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'error', exitCode: 1 });
  });
});
