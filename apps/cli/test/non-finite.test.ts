/**
 * Corrupt numbers end to end (issue 17): a checkpoint with a NaN weight fails at load naming the
 * tensor; with --no-check-weights it loads, and its NaN perplexity is an error naming the model
 * and the stage, never a result printed with exit 0. Corrupt headers that once ran out of memory
 * or printed "NaN%" fail at once, in one line.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELDOUT, runCli, STORIES_BIN, tempDir } from './helpers.js';

/** The error line (progress lines may come first). */
function errorLine(stderr: string): string {
  const lines = stderr
    .trimEnd()
    .split('\n')
    .filter((l) => l.startsWith('llm-streamline: '));
  expect(lines, stderr).toHaveLength(1);
  return lines[0] as string;
}

/** stories260K.bin with `edit` applied, and tok512.bin beside it, in a fresh folder. */
async function editedBin(edit: (view: DataView) => void): Promise<string> {
  const dir = await tempDir();
  const bytes = new Uint8Array(await readFile(STORIES_BIN));
  edit(new DataView(bytes.buffer));
  const path = join(dir, 'model.bin');
  await writeFile(path, bytes);
  await copyFile(join(STORIES_BIN, '..', 'tok512.bin'), join(dir, 'tok512.bin'));
  return path;
}

// The first weight of wq for layer 0: 28-byte header, token embedding 512 × 64, 5 × 64 norms.
const WQ0 = 28 + 4 * (512 * 64 + 5 * 64);

describe('non-finite numbers', () => {
  it('a NaN weight: eval fails at load naming the file and the tensor; --no-check-weights gets a NaN perplexity, also an error', async () => {
    const path = await editedBin((view) => view.setFloat32(WQ0 + 4 * 7, Number.NaN, true));
    const eval1 = ['eval', path, '--data', HELDOUT, '--blocks', '1', '--block-length', '32'];
    const checked = await runCli(eval1);
    expect(checked.code).toBe(1);
    expect(errorLine(checked.stderr)).toMatch(
      /model\.bin: tensor model\.layers\.0\.self_attn\.q_proj\.weight holds NaN or infinite values/,
    );
    const unchecked = await runCli([...eval1, '--no-check-weights']);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stdout).not.toMatch(/perplexity/i);
    expect(errorLine(unchecked.stderr)).toMatch(
      /model\.bin, evaluation: the perplexity is NaN .* — is the checkpoint corrupt/,
    );
  }, 120_000);

  it('n_layers = 2147483647: inspect fails at once in one line, no out-of-memory abort', async () => {
    const path = await editedBin((view) => view.setInt32(8, 2147483647, true));
    const run = await runCli(['inspect', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run.stderr)).toMatch(
      /model\.bin: llama2\.c checkpoint size mismatch — the header implies \d+ bytes but the file has 1056540/,
    );
  }, 60_000);
});
