/**
 * One fuzz mutant through the loaders: it must either load and give finite logits on a short
 * input, or fail with a one-line error naming the file. A load that gives non-finite logits must be
 * stopped by the perplexity check (a NaN or infinite perplexity is an error, never a result).
 */
import { data, getDevice, scope, seededRandom, type Tensor, tensor } from '@llm-streamline/tensor';
import { NonFiniteResultError, perplexity } from '../../src/eval/perplexity.js';
import { bytesByteSource } from '../../src/io/byte-source.js';
import { memoryModelDirectory } from '../../src/io/model-directory.js';
import {
  type LoadedModel,
  loadGgufModel,
  loadHfModel,
  loadLlama2cModel,
} from '../../src/load/load-model.js';
import { MemorySink } from '../../src/save/output-sink.js';
import { saveHfModel } from '../../src/save/save-model.js';
import { fileFields } from './file-fields.js';
import { type FileFields, type FuzzFormat, mutantSeed, mutationClasses } from './mutations.js';

export const FUZZ_FORMATS: readonly FuzzFormat[] = ['safetensors', 'gguf', 'llama2c'];

/**
 * What happened to a mutant. The first four are correct behaviour (`loaded-overflow`: it loads, a
 * huge finite weight sends some logits to −Infinity, and the perplexity is finite and true — see
 * runMutant); the others are failures:
 * an error that is not one line naming the file, non-finite logits reported as a result, a hang,
 * a crash of the process (abort, e.g. out of memory), an exception that escaped.
 */
export type FuzzOutcome =
  | 'loaded-finite'
  | 'loaded-overflow'
  | 'rejected'
  | 'rejected-non-finite'
  | 'bad-error'
  | 'non-finite-success'
  | 'hang'
  | 'abort'
  | 'uncaught';

export const FAILURE_OUTCOMES: readonly FuzzOutcome[] = [
  'bad-error',
  'non-finite-success',
  'hang',
  'abort',
  'uncaught',
];

export interface MutantResult {
  format: FuzzFormat;
  index: number;
  mutation: string;
  outcome: FuzzOutcome;
  /** The error message, or what went wrong. */
  detail?: string;
}

/** A seed file and the other files a load of it needs. */
interface Seed {
  bytes: Uint8Array;
  fields: FileFields;
  /** Files beside it (a Hugging Face folder's config.json and tokenizer). */
  companions: Record<string, Uint8Array>;
}

export type FuzzSeeds = Record<FuzzFormat, Seed>;

/**
 * The seeds: stories260K as llama2.c `.bin` and as GGUF, and, for safetensors, the same model
 * saved as a Hugging Face folder (F32) in memory. `read` reads a file of the shared data folder.
 */
export async function loadFuzzSeeds(
  read: (relPath: string) => Promise<Uint8Array>,
): Promise<FuzzSeeds> {
  const [bin, gguf, spm] = await Promise.all([
    read('stories260K/stories260K.bin'),
    read('stories260K/stories260K.gguf'),
    read('stories260K/tok512.model'),
  ]);
  await getDevice();
  const loaded = await loadLlama2cModel(bytesByteSource(bin, 'stories260K.bin'));
  const sink = new MemorySink();
  try {
    await saveHfModel(loaded.model, sink, { dtype: 'F32' });
  } finally {
    loaded.model.dispose();
  }
  const safetensors = sink.files.get('model.safetensors') as Uint8Array;
  const companions: Record<string, Uint8Array> = { 'tokenizer.model': spm };
  for (const [name, bytes] of sink.files) if (name.endsWith('.json')) companions[name] = bytes;
  const seed = (format: FuzzFormat, bytes: Uint8Array, files: Record<string, Uint8Array> = {}) => ({
    bytes,
    fields: fileFields(format, bytes),
    companions: files,
  });
  return {
    safetensors: seed('safetensors', safetensors, companions),
    gguf: seed('gguf', gguf),
    llama2c: seed('llama2c', bin),
  };
}

/** The mutation class and bytes of mutant `index`. */
export function buildMutant(
  seeds: FuzzSeeds,
  format: FuzzFormat,
  index: number,
  runSeed: number,
): { mutation: string; bytes: Uint8Array } {
  const classes = mutationClasses(format);
  const mutation = classes[index % classes.length] as (typeof classes)[number];
  const seed = seeds[format];
  const rng = seededRandom(mutantSeed(runSeed, format, index));
  return { mutation: mutation.name, bytes: mutation.mutate(seed.bytes, rng, seed.fields) };
}

/** The name a mutant's file is loaded under: every error must contain it. */
export function mutantName(format: FuzzFormat, index: number): string {
  const ext = format === 'gguf' ? 'gguf' : format === 'llama2c' ? 'bin' : 'safetensors-dir';
  return `mutant-${format}-${index}.${ext}`;
}

const INPUT = [1, 403, 407, 261, 378, 2, 1, 9];

/** Runs mutant `index`: load, logits of a short input, and the perplexity check when they are not finite. */
export async function runMutant(
  seeds: FuzzSeeds,
  format: FuzzFormat,
  index: number,
  runSeed: number,
): Promise<MutantResult> {
  const { mutation, bytes } = buildMutant(seeds, format, index, runSeed);
  const name = mutantName(format, index);
  const result = (outcome: FuzzOutcome, detail?: string): MutantResult => ({
    format,
    index,
    mutation,
    outcome,
    ...(detail === undefined ? {} : { detail }),
  });
  let loaded: LoadedModel | undefined;
  try {
    loaded = await load(seeds, format, bytes, name);
    const { model } = loaded;
    const ids = INPUT.map((id) => id % model.config.vocabSize);
    const logits = await scope(async () => {
      const { logits } = model.forward(tensor(Int32Array.from(ids), [1, ids.length]));
      return data(logits as Tensor);
    });
    if (logits.every(Number.isFinite)) return result('loaded-finite');
    try {
      const r = await perplexity(model, [ids], { label: name, batchSize: 1 });
      // −Inf logits (a huge but finite weight) give tokens probability 0: the perplexity of the
      // input is still a true, finite number. NaN or +Inf logits must never give a result.
      if (logits.every((v) => Number.isFinite(v) || v === Number.NEGATIVE_INFINITY))
        return result('loaded-overflow', `some logits are -Infinity; perplexity ${r.perplexity}`);
      return result('non-finite-success', `logits not finite, yet perplexity ${r.perplexity}`);
    } catch (e) {
      if (e instanceof NonFiniteResultError && e.message.startsWith(name))
        return result('rejected-non-finite', e.message);
      return result('bad-error', String(e));
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const good = e instanceof Error && !message.includes('\n') && message.includes(name);
    return result(good ? 'rejected' : 'bad-error', message);
  } finally {
    loaded?.model.dispose();
  }
}

function load(
  seeds: FuzzSeeds,
  format: FuzzFormat,
  bytes: Uint8Array,
  name: string,
): Promise<LoadedModel> {
  if (format === 'llama2c') return loadLlama2cModel(bytesByteSource(bytes, name));
  if (format === 'gguf') return loadGgufModel(bytesByteSource(bytes, name));
  const files = { ...seeds.safetensors.companions, 'model.safetensors': bytes };
  return loadHfModel(memoryModelDirectory(files, name));
}

/** Counts of results by format, mutation class and outcome. */
export function tally(results: readonly MutantResult[]): Map<string, Map<FuzzOutcome, number>> {
  const out = new Map<string, Map<FuzzOutcome, number>>();
  for (const r of results) {
    const key = `${r.format} ${r.mutation}`;
    const counts = out.get(key) ?? new Map<FuzzOutcome, number>();
    counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    out.set(key, counts);
  }
  return out;
}
