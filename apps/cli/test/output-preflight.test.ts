/**
 * The output preflight: `--force` replaces only an earlier output of ours; write errors (full disk,
 * no permission, read-only) become one line naming the path and the fix; the size estimate.
 * (The full-disk and read-only cases on real mounts are in signals.test.ts.)
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/cli.js';
import { CliError } from '../src/errors.js';
import { CONVERT_OUTPUT, checkOutputPath, PRUNE_OUTPUT } from '../src/output-path.js';
import { estimateOutputBytes } from '../src/output-room.js';
import { writeError } from '../src/write-errors.js';
import { runCli, STORIES_BIN, tempDir } from './helpers.js';

const input = '/models/in.bin';

describe('--force replaces only an earlier output of ours', () => {
  it('refuses a regular file and a folder without streamline.json, naming the flag and path', async () => {
    const dir = await tempDir();
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'mine');
    const folder = join(dir, 'photos');
    await mkdir(folder);
    await writeFile(join(folder, 'a.jpg'), 'x');
    for (const [path, kind] of [
      [file, 'a file'],
      [folder, 'a folder'],
    ]) {
      const check = checkOutputPath(path, {
        force: true,
        input,
        flag: '--out',
        ours: PRUNE_OUTPUT,
      });
      await expect(check).rejects.toThrow(CliError);
      await expect(check).rejects.toThrow(
        `--out ${path} exists and is ${kind} that llm-streamline did not write; --force replaces only a folder written by llm-streamline prune (one with streamline.json), nothing was changed`,
      );
    }
    expect(await readFile(file, 'utf8')).toBe('mine');
    expect(await readdir(folder)).toEqual(['a.jpg']);
  });

  it("accepts prune's output (streamline.json) and, for convert, only a folder of its files", async () => {
    const dir = await tempDir();
    const pruned = join(dir, 'pruned');
    await mkdir(pruned);
    await writeFile(join(pruned, 'streamline.json'), '{}');
    await checkOutputPath(pruned, { force: true, input, flag: '--out', ours: PRUNE_OUTPUT });
    const hf = join(dir, 'hf');
    await mkdir(hf);
    for (const n of ['config.json', 'model.safetensors', 'tokenizer.model'])
      await writeFile(join(hf, n), '');
    await checkOutputPath(hf, { force: true, input, flag: 'OUT', ours: CONVERT_OUTPUT });
    await writeFile(join(hf, 'README.md'), 'a downloaded model');
    await expect(
      checkOutputPath(hf, { force: true, input, flag: 'OUT', ours: CONVERT_OUTPUT }),
    ).rejects.toThrow(/OUT .*hf exists and is a folder that llm-streamline did not write/);
  });

  it('convert --force onto a regular file: exit 1, one line, the file untouched', async () => {
    const file = join(await tempDir(), 'model-hf');
    await writeFile(file, 'precious');
    const run = await runCli(['convert', STORIES_BIN, file, '--force']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^llm-streamline: OUT .*model-hf exists and is a file .*--force replaces only/,
      ),
    ]);
    expect(await readFile(file, 'utf8')).toBe('precious');
  });
});

describe('write errors', () => {
  const errno = (code: string, path?: string) => Object.assign(new Error(code), { code, path });
  const target = { flag: '--out', path: '/data/pruned' };

  it('name the flag, the path, the reason and the fix', () => {
    expect(
      writeError(errno('ENOSPC', '/data/.pruned.partial-x/model.safetensors'), target)?.message,
    ).toBe(
      'cannot write --out /data/pruned: no space left on the device (ENOSPC) (at /data/.pruned.partial-x/model.safetensors)',
    );
    expect(writeError(errno('EROFS', '/data'), target)?.hint).toBe(
      'choose --out on a writable disk',
    );
    expect(writeError(errno('EACCES', '/data'), target)?.hint).toMatch(
      /--out in a folder you can write to/,
    );
    expect(
      writeError(errno('ENOSPC', '/tmp/llm-streamline-pairs-a-1-b/pairs.f32'), target)?.hint,
    ).toMatch(/TMPDIR/);
  });

  it('leave other errors alone, and reach describeError without a target', () => {
    expect(writeError(errno('ENOENT', '/x'), target)).toBeUndefined();
    expect(writeError(new Error('plain'), target)).toBeUndefined();
    expect(describeError(errno('EROFS', '/mnt/out'), false)).toEqual({
      code: 1,
      message:
        'cannot write /mnt/out: read-only file system (EROFS) — choose the output on a writable disk',
    });
  });
});

describe('estimateOutputBytes', () => {
  it('is the weights at the written dtype, the extra files and 1 MiB, plus 5 %', () => {
    for (const [params, dtype, bytes] of [
      [1000, 'F32', 4],
      [1000, 'BF16', 2],
      [7, 'F16', 2],
    ] as const) {
      const naive = Math.ceil((params * bytes + 500 + 1048576) * 1.05);
      expect(estimateOutputBytes(params, dtype, 500)).toBe(naive);
    }
  });
});
