import type { Module } from '@llm-streamline/autograd';
import {
  type ByteEncoding,
  describeDeviceLimitError,
  formatShape,
  Tensor,
} from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';
import { interleavedToHalfRotary } from '../io/rope-layout.js';
import type { TensorRecord } from '../io/tensor-index.js';
import { readTensorBytes, readTensorF32 } from '../io/tensor-read.js';
import { isRotaryProjection } from '../io/weight-names.js';

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
}

const ENCODING: Record<string, ByteEncoding> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };

/**
 * Loads checkpoint tensors into a model one tensor at a time: each is read from its file, uploaded
 * (16-bit floats widened on the GPU) and swapped into the parameter, whose old storage is freed at
 * once (build the model with `init: 'empty'`, so that nothing is computed only to be replaced) — so
 * peak memory is the model plus one tensor in flight, whatever the checkpoint's size.
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
    } else if (!(found.record.dtype in ENCODING)) {
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

  let done = 0;
  for (const [name, target] of targets) {
    const { record } = byName.get(name) as NamedRecord;
    // A tensor too large for the adapter: say which one (the tensor package knows only its shape).
    const value = await uploadRecord(record, name, config, options.interleavedRope ?? false).catch(
      (e: unknown) => {
        throw describeDeviceLimitError(e, { name });
      },
    );
    target.assign(value);
    value.dispose();
    // An upload's staging copy lives until the queue has run it, and the replaced placeholder
    // returns to the pool (for the next upload of its size) only after a submit: without waiting,
    // a whole checkpoint's worth of both piles up — in host memory, on a CPU adapter. Waiting
    // here keeps it to one tensor; the round trip is small next to reading and widening a weight.
    await target.device.sync();
    options.onProgress?.(++done, targets.size);
  }
  const device = targets.values().next().value?.device;
  if (device) {
    // The pool now holds the last placeholders the loaded tensors replaced (up to its cap), at
    // weight sizes that nothing asks for once loading is done: give their memory back.
    device.pool.trim();
  }
}

async function uploadRecord(
  record: TensorRecord,
  hfName: string,
  config: LlamaConfig,
  interleaved: boolean,
): Promise<Tensor> {
  const rotary = interleaved ? isRotaryProjection(hfName) : undefined;
  if (!rotary)
    return Tensor.fromBytes(
      await readTensorBytes(record),
      ENCODING[record.dtype] as ByteEncoding,
      record.shape,
    );
  const heads = rotary === 'q' ? config.numHeads : config.numKvHeads;
  const permuted = interleavedToHalfRotary(
    await readTensorF32(record),
    heads,
    config.headDim,
    record.shape[1] as number,
  );
  return Tensor.fromArray(permuted, record.shape);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
