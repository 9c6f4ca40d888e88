/**
 * Cancelling a run and bad input. Cancelling rejects and leaves the model as it was (and, in Node
 * through runToDirectory, no output folder, staging folder or pair file); bad input fails early
 * with a message that says what to change; a loss that blows up stops training and says so.
 */
import { LlamaDecoderLayer, type LlamaForCausalLM, type Tokenizer } from '@llm-streamline/llm';
import { testRuntime } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ProgressEvent, type StreamlineOptions, streamline } from '../src/index.js';
import { loadStories260K, logitsOf, maxAbsDiff, storiesParagraphs } from './helpers.js';

let calibrationText: string;
let model: LlamaForCausalLM;
let tokenizer: Tokenizer;

const TINY = {
  blockLength: 32,
  scoringBlocks: 2,
  trainingBlocks: 4,
  validationBlocks: 2,
  batchSize: 2,
  epochs: 2,
} as const;

beforeAll(async () => {
  calibrationText = await storiesParagraphs(0, 20);
  ({ model, tokenizer } = await loadStories260K());
});

function options(extra: Partial<StreamlineOptions> = {}): StreamlineOptions {
  return { model, tokenizer, calibrationText, target: { layers: 1 }, ...TINY, ...extra };
}

/** Aborts as soon as the run reaches `stage`. */
function abortAt(stage: ProgressEvent['stage']): {
  controller: AbortController;
  onProgress: (e: ProgressEvent) => void;
  seen: () => ProgressEvent['stage'][];
} {
  const controller = new AbortController();
  const stages: ProgressEvent['stage'][] = [];
  return {
    controller,
    seen: () => stages,
    onProgress: (e) => {
      stages.push(e.stage);
      if (e.stage === stage) controller.abort();
    },
  };
}

describe('cancelling', () => {
  it.each(['training', 'scoring', 'evaluation'] as const)(
    'during %s rejects and leaves the model as it was',
    async (stage) => {
      const layers = [...model.layers];
      const before = await logitsOf(model, [[1, 403, 407, 261, 378]]);
      const { controller, onProgress, seen } = abortAt(stage);
      const run = streamline(
        options({
          signal: controller.signal,
          onProgress,
          evaluationText: calibrationText,
          compareBaselines: stage === 'evaluation',
        }),
      );
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen().at(-1)).toBe(stage);
      expect(model.layers.length).toBe(5);
      for (const [i, layer] of layers.entries()) expect(model.layers.at(i)).toBe(layer);
      expect(model.layers.at(2)).toBeInstanceOf(LlamaDecoderLayer);
      expect(maxAbsDiff(await logitsOf(model, [[1, 403, 407, 261, 378]]), before)).toBe(0);
    },
  );

  it.skipIf(testRuntime !== 'node')(
    'through runToDirectory (Node) leaves no output, no staging folder and no pair file',
    async () => {
      const { runToDirectory, FilePairStorage } = await import('../src/node.js');
      const { mkdtemp, mkdir, readdir, rm, stat } = await import('node:fs/promises');
      const { readdirSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const root = await mkdtemp(join(tmpdir(), 'streamline-cancel-'));
      try {
        const pairs = join(root, 'pairs');
        await mkdir(pairs);
        const out = join(root, 'out');
        let pairFiles = 0;
        const { controller, onProgress } = abortAt('training');
        const run = runToDirectory(
          options({
            signal: controller.signal,
            onProgress: (e) => {
              if (e.stage === 'training') pairFiles = readdirSync(pairs).length;
              onProgress(e);
            },
            pairStorage: () => FilePairStorage.create(pairs),
          }),
          out,
        );
        await expect(run).rejects.toMatchObject({ name: 'AbortError' });
        expect(await stat(out).catch(() => 'absent')).toBe('absent');
        expect(await readdir(root)).toEqual(['pairs']); // no `.out.partial-…` left
        expect(pairFiles).toBe(2); // training and validation pairs existed while training…
        expect(await readdir(pairs)).toEqual([]); // …and were deleted
        expect(model.layers.length).toBe(5);

        // Cancelled during the export itself: no output either.
        const late = new AbortController();
        const exportRun = runToDirectory(
          options({
            replacement: 'none',
            signal: late.signal,
            onProgress: (e) => e.stage === 'export' && e.done === 3 && late.abort(),
          }),
          out,
        );
        await expect(exportRun).rejects.toMatchObject({ name: 'AbortError' });
        expect(await readdir(root)).toEqual(['pairs']);
        // That run had finished pruning the model before the export was cancelled.
        model.dispose();
        ({ model, tokenizer } = await loadStories260K());
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});

describe('bad input', () => {
  it('n too large for the model, or a bad ratio, fails before any work', async () => {
    const events: ProgressEvent[] = [];
    const onProgress = (e: ProgressEvent) => events.push(e);
    await expect(streamline(options({ target: { layers: 5 }, onProgress }))).rejects.toThrow(
      /cannot remove 5 of 5 layers with a replacement .*at most 4 can be removed/,
    );
    await expect(
      streamline(options({ target: { layers: 5 }, replacement: 'none', onProgress })),
    ).rejects.toThrow(/cannot remove 5 of 5 layers: at most 4/);
    await expect(streamline(options({ target: { ratio: 1.5 }, onProgress }))).rejects.toThrow(
      /ratio must be between 0 and 1, got 1.5/,
    );
    await expect(streamline(options({ target: { layers: 0 }, onProgress }))).rejects.toThrow(
      /positive integer/,
    );
    expect(events).toEqual([]);
    expect(model.layers.length).toBe(5);
  });

  it('unknown metric or replacement names list the known ones', async () => {
    await expect(streamline(options({ metric: 'entropy' }))).rejects.toThrow(
      /unknown metric 'entropy'; choose one of: cosine, angular, bi, ppl/,
    );
    await expect(streamline(options({ replacement: 'attention' }))).rejects.toThrow(
      /unknown replacement 'attention'; choose one of: none, layer, ffn, linear/,
    );
  });

  it('empty or too-short calibration text is refused, naming the source', async () => {
    await expect(
      streamline(options({ calibrationText: '', calibrationSource: 'empty.txt' })),
    ).rejects.toThrow(/empty.txt: the calibration text is empty/);
    await expect(streamline(options({ calibrationText: ' \n\n \n' }))).rejects.toThrow(
      /calibration text is empty/,
    );
    const short = await storiesParagraphs(0, 1);
    await expect(
      streamline(options({ calibrationText: short, calibrationSource: 'one.txt' })),
    ).rejects.toThrow(
      /one.txt: too short — it gives \d+ blocks of 32 tokens, but 6 are needed \(4 for scoring\/training \+ 2 for validation\)/,
    );
    // `none` needs no training or validation blocks: only the scoring ones count.
    await expect(
      streamline(options({ calibrationText: short, replacement: 'none', scoringBlocks: 40 })),
    ).rejects.toThrow(/but 40 are needed \(40 for scoring\/training \+ 0 for validation\)/);
    expect(model.layers.length).toBe(5);
  });

  it('an evaluation text shorter than one block, or unusable sizes, fail before any work', async () => {
    const events: ProgressEvent[] = [];
    const onProgress = (e: ProgressEvent) => events.push(e);
    await expect(
      streamline(
        options({ evaluationText: 'Once upon a time.', evaluationSource: 'tiny.txt', onProgress }),
      ),
    ).rejects.toThrow(/tiny.txt: too short — it gives no block of 32 tokens/);
    await expect(streamline(options({ validationBlocks: 0, onProgress }))).rejects.toThrow(
      /validationBlocks must be an integer of at least 1 for a trained replacement/,
    );
    await expect(
      streamline(options({ replacement: 'linear', trainingBlocks: 0, onProgress })),
    ).rejects.toThrow(/trainingBlocks must be an integer of at least 1/);
    await expect(streamline(options({ scoringBlocks: 0, onProgress }))).rejects.toThrow(
      /scoringBlocks must be an integer of at least 1, got 0/,
    );
    await expect(streamline(options({ blockLength: 1, onProgress }))).rejects.toThrow(
      /blockLength must be an integer of at least 2/,
    );
    await expect(streamline(options({ batchSize: 2.5, onProgress }))).rejects.toThrow(
      /batchSize must be an integer/,
    );
    await expect(streamline(options({ epochs: 0, onProgress }))).rejects.toThrow(
      /epochs must be an integer of at least 1/,
    );
    expect(events).toEqual([]);
  });

  it('a learning rate that blows the loss up stops training, keeps the initial replacement and says why', async () => {
    const { report, model: pruned } = await streamline(
      options({ lr: 1e30, minLr: 1e30, clipNorm: 1e30, epochs: 3 }),
    );
    const training = report.training as NonNullable<typeof report.training>;
    expect(training.stopped).toMatch(
      /the training loss became (NaN|-?Infinity) at epoch \d, step \d+ \(lr 1\.00e\+30\); training stopped and the parameters of epoch 0 were kept\. Try a lower learning rate\./,
    );
    expect(training.bestEpoch).toBe(0);
    expect(training.validationLoss[0]).toBeGreaterThan(0);
    // The replacement is the initial one: the window's first layer's MLP, finite everywhere.
    expect(pruned.layers.length).toBe(4);
    const logits = await logitsOf(pruned, [[1, 403, 407, 261, 378]]);
    expect(logits.every(Number.isFinite)).toBe(true);
    pruned.dispose();
    ({ model, tokenizer } = await loadStories260K());
  });

  it.skipIf(testRuntime !== 'node')(
    'an output path that exists is refused before any work unless forced (Node)',
    async () => {
      const { runToDirectory } = await import('../src/node.js');
      const { loadModelFromPath, DirectorySink } = await import('@llm-streamline/llm/node');
      const { saveHfModel } = await import('@llm-streamline/llm');
      const { mkdtemp, mkdir, readdir, readFile, rm, writeFile } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const { readFixture } = await import('@llm-streamline/test-utils');
      const root = await mkdtemp(join(tmpdir(), 'streamline-out-'));
      try {
        // An HF-format copy of stories260K with tokenizer files, to check they are copied.
        const source = join(root, 'source');
        const sink = await DirectorySink.create(source);
        const tokenizerModel = await readFixture('stories260K/tok512.model');
        const tokenizerConfig = new TextEncoder().encode('{"add_bos_token": true}\n');
        await saveHfModel(model, sink, {
          extraFiles: new Map([
            ['tokenizer.model', tokenizerModel],
            ['tokenizer_config.json', tokenizerConfig],
          ]),
        });
        await sink.commit();
        const loaded = await loadModelFromPath(source);
        expect(loaded.format).toBe('huggingface');

        const out = join(root, 'out');
        await mkdir(out);
        await writeFile(join(out, 'keep.txt'), 'mine');
        const events: ProgressEvent[] = [];
        const hf = {
          model: loaded.model,
          tokenizer: loaded.tokenizer as Tokenizer,
          modelSource: loaded.source,
          modelFormat: loaded.format,
        };
        await expect(
          runToDirectory(
            options({ ...hf, replacement: 'none', onProgress: (e) => events.push(e) }),
            out,
          ),
        ).rejects.toThrow(/already exists.*--force/);
        expect(events).toEqual([]);
        expect(await readdir(out)).toEqual(['keep.txt']);
        expect((await readdir(root)).sort()).toEqual(['out', 'source']);

        const result = await runToDirectory(
          options({ ...hf, replacement: 'none', onProgress: (e) => events.push(e) }),
          out,
          { force: true },
        );
        expect(result.checkpoint).toBe(true);
        expect(result.tokenizerFiles).toEqual(['tokenizer.model', 'tokenizer_config.json']);
        expect((await readdir(out)).sort()).toEqual([
          'config.json',
          'model.safetensors',
          'streamline.json',
          'tokenizer.model',
          'tokenizer_config.json',
        ]);
        expect(new Uint8Array(await readFile(join(out, 'tokenizer.model')))).toEqual(
          tokenizerModel,
        );
        expect(events.at(-1)?.stage).toBe('export');
        const report = JSON.parse(await readFile(join(out, 'streamline.json'), 'utf8'));
        expect(report.model).toMatchObject({ source, format: 'huggingface', layers: 5 });
        expect(report.result.layers).toBe(4);
        const reloaded = await loadModelFromPath(out);
        const probe = [[1, 403, 407, 261, 378, 432]];
        expect(
          maxAbsDiff(await logitsOf(reloaded.model, probe), await logitsOf(result.model, probe)),
        ).toBeLessThan(1e-6);
        reloaded.model.dispose();
        result.model.dispose();
        expect((await readdir(root)).sort()).toEqual(['out', 'source']);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});
