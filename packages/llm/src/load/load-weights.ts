import type { Module } from '@llm-streamline/autograd';
import {
  cast,
  type DType,
  describeDeviceLimitError,
  formatShape,
  keep,
  Tensor,
} from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';
import { interleavedToHalfRotary } from '../io/rope-layout.js';
import type { TensorRecord } from '../io/tensor-index.js';
import { readTensorBytes, readTensorF32, tensorReadError } from '../io/tensor-read.js';
import { isRotaryProjection } from '../io/weight-names.js';
import { FiniteCheck } from './finite-check.js';
import { deviceDtypeOf, FILE_ENCODING, type WeightsDTypeChoice } from './weights-dtype.js';

/** A checkpoint tensor under its Hugging Face name. */
export interface NamedRecord {
  hfName: string;
  record: TensorRecord;
}

export interface LoadWeightsOptions {
  /**
   * The file stores q/k projections for interleaved RoPE (llama2.c, GGUF): permute their rows
   * to the rotate-half layout our forward uses (see io/rope-layout.ts).
   */
  interleavedRope?: boolean;
  /** Called after each tensor with (done, total) for progress bars. */
  onProgress?: (done: number, total: number) => void;
  /** Where the configuration came from (e.g. `model/config.json`), for error messages. */
  configName?: string;
  /**
   * The device dtype of weight matrices (see load/weights-dtype.ts): `auto` (the default) keeps
   * each as its file stores it, so a BF16 checkpoint takes 2 bytes per parameter on the device.
   */
  weightsDtype?: WeightsDTypeChoice;
  /**
   * Names (HF) checked like every other tensor but not uploaded: the parameters a weight stream
   * fetches later (see stream/weight-stream.ts). Their placeholders stay.
   */
  streamed?: ReadonlySet<string>;
  /**
   * Check on the device that no weight holds NaN or ±Inf, and fail naming the first that does
   * (see load/finite-check.ts). Default true; false skips it (one small kernel per tensor and one
   * readback at the end of the load).
   */
  checkFinite?: boolean;
}

/**
 * Loads checkpoint tensors into a model one tensor at a time: each is read from its file, uploaded
 * in its device dtype (see {@link deviceDtypeOf}) and swapped into the parameter, whose old storage
 * is freed at once (build the model with `init: 'empty'`, whose placeholders hold no memory) — so
 * peak memory is the loaded weights plus one tensor in flight, whatever the checkpoint's size.
 * Every name and shape is checked against the model before the first byte is read.
 */
export async function loadWeights(
  model: Module,
  config: LlamaConfig,
  records: readonly NamedRecord[],
  options: LoadWeightsOptions = {},
): Promise<void> {
  const targets = model.stateDict();
  const byName = new Map(records.map((r) => [r.hfName, r]));
  const problems: string[] = [];
  const configName = options.configName ?? 'the model configuration';
  for (const [name, target] of targets) {
    const found = byName.get(name);
    if (!found) problems.push(`missing tensor ${name} (expected ${formatShape(target.shape)})`);
    else if (!sameShape(found.record.shape, target.shape)) {
      problems.push(
        `tensor ${name} in ${found.record.source.name} has shape ${formatShape(found.record.shape)}, but ${configName} needs ${formatShape(target.shape)}`,
      );
    } else if (!(found.record.dtype in FILE_ENCODING)) {
      problems.push(
        `tensor ${name} in ${found.record.source.name} has dtype ${found.record.dtype}; F32, F16 or BF16 expected`,
      );
    }
  }
  // A tied checkpoint may still carry lm_head.weight (equal to the embedding); anything else is unknown.
  for (const name of byName.keys()) {
    if (!targets.has(name) && !(name === 'lm_head.weight' && config.tieWordEmbeddings))
      problems.push(`unexpected tensor ${name}`);
  }
  if (problems.length > 0) {
    // Name the files, so that a message about a missing or unexpected tensor still says where to look.
    const files = [...new Set(records.map((r) => r.record.source.name))];
    const where =
      files.length === 0
        ? 'checkpoint'
        : files.length <= 3
          ? files.join(', ')
          : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more files`;
    throw new Error(
      `${where}: the checkpoint does not match ${configName}: ${problems.join('; ')}`,
    );
  }

  // Parameters are swapped whole (a 16-bit weight replaces an f32 placeholder); buffers keep their dtype.
  const parameters = new Map(model.namedParameters());
  let done = 0;
  const uploading = [...targets].filter(([name]) => !options.streamed?.has(name));
  const device = targets.values().next().value?.device;
  const check =
    options.checkFinite !== false && device ? new FiniteCheck(device, uploading.length) : undefined;
  try {
    await uploadAll();
    const bad = (await check?.nonFinite()) ?? [];
    if (bad.length > 0) throw nonFiniteWeightsError(bad, byName);
  } finally {
    check?.dispose();
  }
  if (device) {
    // The check's flags and readback buffers return to the pool at the next submit: let them.
    if (check) await device.sync();
    // The pool now holds the upload temporaries and replaced tensors of the last loads (up to its
    // cap), at weight sizes that nothing asks for once loading is done: give their memory back.
    device.pool.trim();
  }

  async function uploadAll(): Promise<void> {
    for (const [name, target] of uploading) {
      const { record } = byName.get(name) as NamedRecord;
      const dtype = deviceDtypeOf(
        record.dtype,
        record.shape.length,
        options.weightsDtype ?? 'auto',
      );
      const parameter = parameters.get(name);
      const value = await uploadTensorRecord(
        record,
        name,
        parameter ? dtype : target.dtype,
        config,
        options.interleavedRope ?? false,
      );
      check?.add(value, name);
      if (parameter) {
        parameter.value.dispose();
        parameter.value = keep(value);
      } else {
        target.assign(value);
        value.dispose();
      }
      // An upload's staging copy lives until the queue has run it, and what it freed (the raw bytes
      // of a widened tensor, a replaced parameter) returns to the pool only after a submit: without
      // waiting, a whole checkpoint's worth piles up — in host memory, on a CPU adapter. Waiting
      // here keeps it to one tensor; the round trip is small next to reading and widening a weight.
      await target.device.sync();
      options.onProgress?.(++done, uploading.length);
    }
  }
}

/**
 * The error for weights holding NaN or infinity: one line naming the file and the tensors. Exported
 * for the weight stream, which checks its tensors as it first fetches them.
 */
export function nonFiniteWeightsError(
  names: readonly string[],
  byName: ReadonlyMap<string, NamedRecord>,
): Error {
  const first = names[0] as string;
  const file = byName.get(first)?.record.source.name ?? 'checkpoint';
  const more = names.length > 1 ? ` (and ${names.length - 1} more tensors)` : '';
  return new Error(
    `${file}: tensor ${first} holds NaN or infinite values${more}; the checkpoint is corrupt or its training diverged`,
  );
}

/**
 * One checkpoint tensor on the device in `dtype`: read from its file, q/k rows permuted to the
 * rotate-half layout when the file is interleaved (llama2.c, GGUF). Failures name the tensor: a
 * read error (a file that changed or shrank), or one too large for the adapter (the tensor
 * package knows only its shape).
 */
export async function uploadTensorRecord(
  record: TensorRecord,
  hfName: string,
  dtype: DType,
  config: LlamaConfig,
  interleaved: boolean,
): Promise<Tensor> {
  try {
    return await uploadRecord(record, hfName, dtype, config, interleaved);
  } catch (e) {
    const described = describeDeviceLimitError(e, { name: hfName });
    if (described !== e) throw described;
    throw tensorReadError(e, record.source.name, hfName);
  }
}

async function uploadRecord(
  record: TensorRecord,
  hfName: string,
  dtype: DType,
  config: LlamaConfig,
  interleaved: boolean,
): Promise<Tensor> {
  const rotary = interleaved ? isRotaryProjection(hfName) : undefined;
  const encoding = FILE_ENCODING[record.dtype] ?? 'f32';
  if (!rotary)
    return Tensor.fromBytes(await readTensorBytes(record), encoding, record.shape, { dtype });
  const heads = rotary === 'q' ? config.numHeads : config.numKvHeads;
  const permuted = Tensor.fromArray(
    interleavedToHalfRotary(
      await readTensorF32(record),
      heads,
      config.headDim,
      // A q/k bias is one column: its rows permute like the weight's.
      record.shape[1] ?? 1,
    ),
    record.shape,
  );
  if (dtype === 'f32') return permuted;
  try {
    return cast(permuted, dtype);
  } finally {
    permuted.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
