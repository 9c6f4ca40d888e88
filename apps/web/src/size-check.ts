/**
 * Checks, before any weight is uploaded, that the model's largest tensor fits in one GPU buffer of
 * this adapter. Weights live on the GPU as float32, one buffer per tensor, so a tensor larger than
 * `maxStorageBufferBindingSize` (or `maxBufferSize`) can never be bound by a kernel; saying so up
 * front beats a WebGPU validation error half-way through loading.
 */
import {
  blobByteSource,
  blobModelDirectory,
  closeCheckpoint,
  openSafetensorsCheckpoint,
  parseGguf,
  parseLlama2cCheckpoint,
  type TensorRecord,
} from '@llm-streamline/llm';
import type { ModelInput } from './model-input.js';

/** The buffer limits that matter here (a subset of GPUSupportedLimits). */
export interface BufferLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface LargestTensor {
  name: string;
  shape: readonly number[];
  /** Bytes it takes on the GPU as float32. */
  bytes: number;
}

/** Thrown when a tensor cannot fit in one buffer of the adapter. */
export class ModelTooBigError extends Error {
  constructor(
    readonly model: string,
    readonly tensor: LargestTensor,
    readonly limitName: keyof BufferLimits,
    readonly limitBytes: number,
  ) {
    super(
      `${model} is too big for this WebGPU adapter: its tensor ${tensor.name} [${tensor.shape.join(' × ')}] needs ${formatBytes(tensor.bytes)} as float32, but ${limitName} is ${formatBytes(limitBytes)} (${formatBytes(tensor.bytes - limitBytes)} too much). Use a smaller model, or a browser and GPU with higher buffer limits.`,
    );
    this.name = 'ModelTooBigError';
  }
}

/** The tensor that needs the most GPU memory, read from the checkpoint's header only. */
export async function largestTensor(input: ModelInput): Promise<LargestTensor> {
  const records = await tensorRecords(input);
  let best: LargestTensor | undefined;
  for (const r of records) {
    const bytes = r.shape.reduce((n, d) => n * d, 1) * 4;
    if (!best || bytes > best.bytes) best = { name: r.name, shape: r.shape, bytes };
  }
  if (!best) throw new Error(`${input.name}: the checkpoint holds no tensors`);
  return best;
}

/** Throws ModelTooBigError when the largest tensor exceeds either buffer limit. */
export async function checkFitsAdapter(input: ModelInput, limits: BufferLimits): Promise<void> {
  const tensor = await largestTensor(input);
  for (const limitName of ['maxStorageBufferBindingSize', 'maxBufferSize'] as const) {
    if (tensor.bytes > limits[limitName])
      throw new ModelTooBigError(input.name, tensor, limitName, limits[limitName]);
  }
}

async function tensorRecords(input: ModelInput): Promise<TensorRecord[]> {
  switch (input.kind) {
    case 'huggingface': {
      const checkpoint = await openSafetensorsCheckpoint(
        blobModelDirectory(input.files, input.name),
      );
      try {
        return [...checkpoint.tensors.values()];
      } finally {
        await closeCheckpoint(checkpoint);
      }
    }
    case 'gguf':
      return [...(await parseGguf(blobByteSource(input.file, input.name))).tensors.values()];
    case 'llama2c':
      return [
        ...(
          await parseLlama2cCheckpoint(blobByteSource(input.checkpoint, input.name))
        ).tensors.values(),
      ];
  }
}

/** "12.3 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
