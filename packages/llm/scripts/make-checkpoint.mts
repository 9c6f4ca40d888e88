/**
 * Writes a random-weight Hugging Face checkpoint at a real model's shapes (or any config.json),
 * streaming: values are generated while they are written, so memory stays at a few MiB whatever
 * the size. Its perplexity means nothing; its memory, speed and code paths are real.
 *
 * Usage (from the repository root):
 *   node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx \
 *     packages/llm/scripts/make-checkpoint.mts (--preset NAME | --config config.json) --out DIR
 *     [--dtype bf16|f16|f32] [--shard-size 2GB] [--seed N] [--layers N] [--set key=value …] [--force]
 *
 *   --preset      one of CHECKPOINT_PRESETS (src/synthetic/checkpoint-presets.ts)
 *   --config      a config.json to follow instead
 *   --dtype       storage dtype (default: the config's torch_dtype, else bf16)
 *   --shard-size  largest shard, as HF's max_shard_size: 2GB = 2·10⁹ bytes, 500MiB = 500·2²⁰
 *                 (default 5GB); a smaller model is one model.safetensors
 *   --seed        seed of the values (default 0); the same seed writes byte-identical files
 *   --layers      num_hidden_layers override
 *   --set         any config field, value as JSON (--set hidden_size=64 --set head_dim=16)
 *   --force       replace DIR if it exists
 * A byte-level tokenizer.json (every UTF-8 byte one token, ids inside the vocabulary) is written
 * beside the weights, so the folder loads and reads text as a downloaded model does.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DirectorySink } from '../src/save/node-directory-sink.js';
import { checkpointPreset, type HfConfigJson } from '../src/synthetic/checkpoint-presets.js';
import type { RandomCheckpointDType } from '../src/synthetic/random-values.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

const USAGE =
  'usage: make-checkpoint.mts (--preset NAME | --config config.json) --out DIR [--dtype bf16|f16|f32] [--shard-size 2GB] [--seed N] [--layers N] [--set key=value]… [--force]';

/** Bytes of a size such as `2GB` (10⁹), `500MiB` (2²⁰) or a plain number of bytes. */
function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i.exec(text.trim());
  if (!match) throw new Error(`--shard-size ${text}: expected a size such as 2GB, 500MB or 1GiB`);
  const unit = (match[2] ?? 'B').toUpperCase();
  const power = { B: 0, K: 1, M: 2, G: 3, T: 4 }[unit[0] as 'B'];
  const base = unit.includes('I') ? 1024 : 1000;
  return Math.floor(Number(match[1]) * base ** power);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string' },
      'shard-size': { type: 'string' },
      seed: { type: 'string' },
      layers: { type: 'string' },
      set: { type: 'string', multiple: true },
      force: { type: 'boolean' },
    },
  });
  if (!values.out || (values.preset === undefined) === (values.config === undefined))
    throw new Error(USAGE);
  const config: HfConfigJson = values.preset
    ? checkpointPreset(values.preset)
    : JSON.parse(await readFile(values.config as string, 'utf8'));
  if (values.layers !== undefined)
    config.num_hidden_layers = wholeNumber('--layers', values.layers);
  for (const assignment of values.set ?? []) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new Error(`--set ${assignment}: expected key=value`);
    const raw = assignment.slice(at + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    config[assignment.slice(0, at)] = value;
  }
  const dtype = values.dtype?.toUpperCase();
  if (dtype !== undefined && !['F32', 'F16', 'BF16'].includes(dtype))
    throw new Error(`--dtype ${values.dtype}: expected bf16, f16 or f32`);
  const seed = values.seed === undefined ? 0 : wholeNumber('--seed', values.seed, 0);

  const started = performance.now();
  const sink = await DirectorySink.create(values.out, { overwrite: values.force === true });
  let lastReport = 0;
  try {
    const written = await writeRandomCheckpoint(config, sink, {
      ...(dtype ? { dtype: dtype as RandomCheckpointDType } : {}),
      ...(values['shard-size'] ? { maxShardBytes: parseSize(values['shard-size']) } : {}),
      seed,
      onProgress(done, total) {
        const now = performance.now();
        if (now - lastReport > 2000 || done === total) {
          lastReport = now;
          const line = `${done}/${total} tensors, ${((now - started) / 1000).toFixed(1)} s`;
          // A terminal shows one line rewritten in place; a log gets a line per report.
          process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
        }
      },
    });
    await sink.commit();
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(
      `wrote ${values.out}: ${written.model_type}, ${written.num_hidden_layers} layer${written.num_hidden_layers === 1 ? '' : 's'}, ${written.torch_dtype}, seed ${seed}, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

function wholeNumber(flag: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${flag} ${text}: expected a whole number ≥ ${min}`);
  return n;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`make-checkpoint: ${e.message}`);
    process.exit(1);
  });
}
