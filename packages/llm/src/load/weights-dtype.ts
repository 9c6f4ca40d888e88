/**
 * Which dtype each checkpoint tensor is held in on the device. Weight matrices (embedding,
 * projections, LM head) hold almost every parameter and are only ever read by matmul and
 * embedding kernels, which accept 16-bit operands and accumulate in f32; so they may stay at the
 * checkpoint's 2 bytes per parameter. Vectors (norm weights, biases) feed f32 elementwise kernels
 * and are a rounding error of the model's size, so they are always widened to f32.
 */
import type { ByteEncoding, DType } from '@llm-streamline/tensor';

/** A dtype weight matrices can be held in on the device. */
export type WeightsDType = 'f32' | 'f16' | 'bf16';

/** What a user chooses: a dtype, or `auto`, each matrix as its file stores it. */
export type WeightsDTypeChoice = WeightsDType | 'auto';

/** Every dtype weights can be held in (or written in). */
export const WEIGHTS_DTYPES: readonly WeightsDType[] = ['f32', 'f16', 'bf16'];

/** Every choice, in the order help text lists them. */
export const WEIGHTS_DTYPE_CHOICES: readonly WeightsDTypeChoice[] = ['auto', ...WEIGHTS_DTYPES];

/** The byte encodings of the safetensors/GGUF float dtypes we read. */
export const FILE_ENCODING: Readonly<Record<string, ByteEncoding & WeightsDType>> = {
  F32: 'f32',
  F16: 'f16',
  BF16: 'bf16',
};

/** The device dtype of a checkpoint tensor of `rank` stored as `fileDtype` (`F32`, `BF16`, …). */
export function deviceDtypeOf(fileDtype: string, rank: number, choice: WeightsDTypeChoice): DType {
  if (rank < 2) return 'f32';
  if (choice !== 'auto') return choice;
  return FILE_ENCODING[fileDtype] ?? 'f32';
}

/** Checks a user's choice (a CLI flag, a form field), naming what was given and what is allowed. */
export function parseWeightsDtype(value: string, what = 'weights dtype'): WeightsDTypeChoice {
  if ((WEIGHTS_DTYPE_CHOICES as readonly string[]).includes(value))
    return value as WeightsDTypeChoice;
  throw new RangeError(
    `${what} must be one of ${WEIGHTS_DTYPE_CHOICES.join(', ')}; got '${value}'`,
  );
}

/**
 * The dtype that most of a checkpoint's parameters are held in under `choice`, counted by
 * elements: what a memory estimate made from the headers alone assumes.
 */
export function dominantWeightsDtype(
  tensors: Iterable<{ dtype: string; shape: readonly number[] }>,
  choice: WeightsDTypeChoice,
): WeightsDType {
  if (choice !== 'auto') return choice;
  const elements = new Map<WeightsDType, number>();
  for (const t of tensors) {
    const dtype = FILE_ENCODING[t.dtype] ?? 'f32';
    const n = t.shape.reduce((p, d) => p * d, 1);
    elements.set(dtype, (elements.get(dtype) ?? 0) + n);
  }
  let best: WeightsDType = 'f32';
  for (const [dtype, n] of elements) if (n > (elements.get(best) ?? 0)) best = dtype;
  return best;
}
