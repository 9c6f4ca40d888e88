/**
 * Reading tensor data described by a TensorRecord, with conversion of the
 * 16-bit float formats to float32 (the compute dtype of the WebGPU kernels).
 * Assumes a little-endian host, which every WebGPU platform is.
 */
import { bf16ToF32, f16ToF32 } from '@llm-streamline/tensor';
import { assertReadRange } from './byte-source.js';
import { numElements, type TensorRecord } from './tensor-index.js';

/** Reads the raw little-endian bytes of one tensor. */
export async function readTensorBytes(record: TensorRecord): Promise<Uint8Array> {
  assertReadRange(record.source, record.byteOffset, record.byteLength);
  return record.source.read(record.byteOffset, record.byteLength);
}

/**
 * Reads a floating-point tensor as a new float32 array (F32 copied or reused,
 * F16/BF16 converted). Throws, naming the file and tensor, for other dtypes.
 */
export async function readTensorF32(record: TensorRecord): Promise<Float32Array> {
  const bytes = await readTensorBytes(record);
  const count = numElements(record.shape);
  switch (record.dtype) {
    case 'F32': {
      const owned = ownedBytes(bytes);
      return new Float32Array(owned.buffer, owned.byteOffset, count);
    }
    case 'F16': {
      const aligned = alignedBytes(bytes, 2);
      return f16ToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, count));
    }
    case 'BF16': {
      const aligned = alignedBytes(bytes, 2);
      return bf16ToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, count));
    }
    default:
      throw new Error(
        `${record.source.name}: tensor "${record.name}" has dtype ${record.dtype}, which cannot be loaded as float weights`,
      );
  }
}

/**
 * Returns bytes that exclusively own their buffer from offset 0, so a typed
 * array over them is aligned and cannot alias the source's memory (in-memory
 * sources return views into the whole file). Fresh reads are reused as is.
 */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? bytes : bytes.slice();
}

/** Returns bytes starting at an offset divisible by `alignment` (copying only if needed). */
function alignedBytes(bytes: Uint8Array, alignment: number): Uint8Array {
  return bytes.byteOffset % alignment === 0 ? bytes : bytes.slice();
}

/**
 * A failed read of a tensor (a file that shrank, changed or vanished since it was opened) as one
 * error that names the file and the tensor, without repeating the file name the cause may start
 * with. `tensor` says which (e.g. `model.layers.3.mlp.up_proj.weight`).
 */
export function tensorReadError(e: unknown, fileName: string, tensor: string): Error {
  const message = e instanceof Error ? e.message : String(e);
  const cause = message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message;
  return new Error(`${fileName}: cannot load tensor ${tensor}: ${cause}`, { cause: e });
}
