/**
 * A device-side check that weights hold no NaN or infinity, run as they are loaded.
 *
 * A corrupt checkpoint (a flipped exponent byte, a tensor read at the wrong offset) can hold NaN
 * or ±Inf; every perplexity or score computed from it is then NaN, which looks like a result. The
 * check reads the bits, not the values: WGSL lets compilers assume floats are finite, so a test
 * such as `x != x` or `x * 0 != 0` may be folded away. A float is NaN or infinite exactly when its
 * exponent bits are all ones (f32 0x7f800000, f16 0x7c00, bf16 0x7f80), which survives any
 * optimisation. Each tensor sets a flag in its own slot; one readback after the last upload
 * names the first bad tensor, so the check costs one small kernel per tensor and one round trip.
 */
import { type Device, data, type Tensor, tensor } from '@llm-streamline/tensor';

/** The exponent mask of each checkable dtype's 16-bit halves or 32-bit word. */
const EXPONENT_MASK = { f32: 0x7f800000, f16: 0x7c00, bf16: 0x7f80 } as const;
type CheckedDType = keyof typeof EXPONENT_MASK;

const WG = 64;
/** Bindings start at multiples of 256 bytes, the largest `minStorageBufferOffsetAlignment`. */
const BINDING_ALIGNMENT = 256;

/** Flags, one per tensor, set on the device when a tensor holds a NaN or an infinity. */
export class FiniteCheck {
  private readonly flags: Tensor;
  private readonly names: string[] = [];

  /** @param capacity how many tensors will be added (one u32 flag each). */
  constructor(
    private readonly device: Device,
    private readonly capacity: number,
  ) {
    const slots = Math.max(1, capacity);
    this.flags = tensor(new Uint32Array(slots), [slots], 'u32', device);
  }

  /**
   * Queues the check of `values` (dense f32, f16 or bf16 from offset 0, as an upload makes them)
   * under `name`. Other dtypes hold no floats and are skipped.
   */
  add(values: Tensor, name: string): void {
    if (!(values.dtype in EXPONENT_MASK)) return;
    if (this.names.length >= this.capacity)
      throw new Error(`FiniteCheck: more than ${this.capacity} tensors added`);
    if (!values.isContiguous || values.offset !== 0)
      throw new Error(`FiniteCheck: ${name} must be a dense tensor from offset 0`);
    const slot = this.names.length;
    this.names.push(name);
    const dtype = values.dtype as CheckedDType;
    const perWord = dtype === 'f32' ? 1 : 2;
    const words = Math.ceil(values.size / perWord);
    const limit = this.device.bufferLimits.maxStorageBufferBindingSize;
    const chunkWords = Math.floor(limit / BINDING_ALIGNMENT) * (BINDING_ALIGNMENT / 4);
    for (let first = 0; first < words; first += chunkWords) {
      const count = Math.min(chunkWords, words - first);
      const elements = Math.min(count * perWord, values.size - first * perWord);
      this.device.run({
        name: `finite_check_${dtype}`,
        source: checkSource(dtype),
        params: [count, elements, slot],
        buffers: [{ buffer: values.buffer, offset: first * 4, size: count * 4 }, this.flags.buffer],
        workgroups: workgroups(count),
      });
    }
  }

  /** The names of the tensors found holding NaN or infinity, in the order they were added. */
  async nonFinite(): Promise<string[]> {
    if (this.names.length === 0) return [];
    const flags = await data(this.flags);
    return this.names.filter((_, slot) => flags[slot] !== 0);
  }

  dispose(): void {
    this.flags.dispose();
  }
}

/**
 * Checks one tensor now: the names of `tensors` (by `names`) holding NaN or infinity. One
 * readback; for weights fetched one unit at a time (see stream/weight-stream.ts).
 */
export async function nonFiniteTensors(
  device: Device,
  tensors: readonly { name: string; values: Tensor }[],
): Promise<string[]> {
  const check = new FiniteCheck(device, tensors.length);
  try {
    for (const { name, values } of tensors) check.add(values, name);
    return await check.nonFinite();
  } finally {
    check.dispose();
  }
}

function workgroups(invocations: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(invocations / WG));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** WGSL for one dtype. Params: [words, elements, slot]; a 16-bit word's high half may be padding. */
function checkSource(dtype: CheckedDType): string {
  const mask = `0x${EXPONENT_MASK[dtype].toString(16)}u`;
  const test =
    dtype === 'f32'
      ? `(w & ${mask}) == ${mask}`
      : `((w & ${mask}) == ${mask}) || (2u * i + 1u < p[1] && ((w >> 16u) & ${mask}) == ${mask})`;
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> flags: array<atomic<u32>>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p[0]) { return; }
  let w = x[i];
  if (${test}) { atomicOr(&flags[p[2]], 1u); }
}`;
}
