/** In-process checks of the output pieces: progress display, similarity strip, flag values. */

import { DeviceLimitError } from '@llm-streamline/tensor';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../src/args/parse.js';
import { intFlag, numberFlag, removalTarget } from '../src/args/values.js';
import { describeError } from '../src/cli.js';
import { spec as pruneSpec } from '../src/commands/prune.js';
import { CancelledError, UsageError } from '../src/errors.js';
import { asLoadError } from '../src/model-input.js';
import { ProgressBar } from '../src/output/progress-bar.js';
import { similarityStrip } from '../src/output/similarity-strip.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 120, write: (t: string) => chunks.push(t) } };
}

describe('ProgressBar', () => {
  it('writes throttled plain lines when not a terminal: first, every interval, and the last', () => {
    let now = 0;
    const { chunks, stream } = sink(false);
    const bar = new ProgressBar(stream, { tty: false, now: () => now, plainIntervalMs: 1000 });
    for (let done = 1; done <= 10; done++) {
      now = done * 300;
      bar.update({ stage: 'training', done, total: 10, unit: 'steps' });
    }
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks[0]).toMatch(/^training: 10% 1\/10/);
    expect(chunks.at(-1)).toMatch(/^training: 100% 10\/10, 3\.33 steps\/s, done in 0:03/);
    expect(chunks.length).toBeLessThan(6);
  });

  it('redraws one line with bar, rate and ETA on a terminal', () => {
    let now = 0;
    const { chunks, stream } = sink(true);
    const bar = new ProgressBar(stream, { tty: true, now: () => now });
    bar.update({ stage: 'scoring', done: 0, total: 8, unit: 'blocks' });
    now = 2000;
    bar.update({ stage: 'scoring', done: 4, total: 8, unit: 'blocks' });
    const line = chunks.at(-1) ?? '';
    expect(line.startsWith('\r\x1b[2K')).toBe(true);
    expect(line.slice(5)).toMatch(/^scoring \[#{12}\.{12}\] 4\/8 {2}2\.00 blocks\/s {2}ETA 0:02$/);
    bar.update({ stage: 'training', done: 1, total: 2 });
    expect(chunks).toContain('\n'); // the finished stage keeps its line
  });
});

describe('similarityStrip', () => {
  it('gives the least similar layer the lowest cell and the most similar the highest', () => {
    const strip = similarityStrip([0.5, 0.9, 0.7, 1.0]);
    const cells = /^cos\s+(\S+)/m.exec(strip)?.[1];
    expect(cells).toBe('▁▇▄█');
    expect(strip).not.toContain('\x1b[');
    expect(similarityStrip([0.5, 1], { color: true })).toContain('\x1b[48;5;');
  });
});

describe('flag values', () => {
  const values = (argv: string[]) => parseCommandArgs(pruneSpec, argv).values;
  it('reads numbers in range and rejects the rest naming flag and value', () => {
    expect(intFlag(values(['--epochs', '3']), 'epochs', { min: 1 })).toBe(3);
    expect(() => intFlag(values(['--epochs', '2.5']), 'epochs', { min: 1 })).toThrow(
      "--epochs must be a whole number ≥ 1, got '2.5'",
    );
    expect(numberFlag(values(['--lr', '3e-4']), 'lr', { min: 0, exclusiveMin: true })).toBe(3e-4);
    expect(() => numberFlag(values(['--lr', 'fast']), 'lr', { min: 0 })).toThrow(UsageError);
    expect(removalTarget(values(['--ratio', '0.25']))).toEqual({ ratio: 0.25 });
    expect(() => removalTarget(values(['--ratio', '0.25', '--layers', '2']))).toThrow('not both');
  });
});

describe('describeError', () => {
  it('maps errors to exit codes and one line', () => {
    expect(describeError(new UsageError('bad', 'fix it'), false)).toEqual({
      code: 2,
      message: 'bad — fix it',
    });
    expect(describeError(new CancelledError(), false).code).toBe(130);
    expect(describeError(new Error('anything'), true)).toEqual({
      code: 130,
      message: 'cancelled; nothing was written',
    });
    const noAdapter = Object.assign(
      new Error('No WebGPU adapter is available.\nTried: Dawn.\nTo get one:'),
      {
        name: 'NoAdapterError',
      },
    );
    const { code, message } = describeError(noAdapter, false);
    expect(code).toBe(1);
    expect(message).toMatch(/^no WebGPU adapter is available \(tried Dawn\) — .*VK_ICD_FILENAMES/);
    expect(message).not.toContain('\n');
  });
});

describe('a tensor too large for the adapter', () => {
  const tooLarge = new DeviceLimitError({
    limit: 'maxStorageBufferBindingSize',
    bytes: 1050673152,
    limitBytes: 134217728,
    tensor: {
      shape: [128256, 2048],
      dtype: 'f32',
      op: 'widen_bf16',
      name: 'model.embed_tokens.weight',
    },
    adapter: 'mesa llvmpipe',
  });

  it('is shown as such, on one line with the numbers and what to change', () => {
    const { code, message } = describeError(tooLarge, false);
    expect(code).toBe(1);
    expect(message).toMatch(
      /^Tensor 'model\.embed_tokens\.weight' f32\[128256, 2048\] \(in widen_bf16\) needs a binding of 1050673152 bytes \(1002\.0 MiB\), over the adapter's maxStorageBufferBindingSize of 134217728 bytes \(128\.0 MiB\) \(mesa llvmpipe\)\. — To make it fit: /,
    );
    expect(message).toContain('LLMS_ADAPTER=swiftshader');
    expect(message).not.toContain('\n');
  });

  it('is never reported as a corrupt model file', () => {
    expect(asLoadError('/models/llama', tooLarge)).toBe(tooLarge);
    expect(describeError(asLoadError('/models/llama', tooLarge), false).message).not.toMatch(
      /corrupt/,
    );
  });
});
