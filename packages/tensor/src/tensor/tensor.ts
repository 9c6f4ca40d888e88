import { currentDevice, type Device } from '../device/device.js';
import { type ByteEncoding, bytesPerElement, type DType, isFloat, isHalf } from './dtype.js';
import {
  contiguousLayout,
  denseLayoutLike,
  expandLayout,
  isContiguous,
  type Layout,
  narrowLayout,
  permuteLayout,
  reshapeLayout,
} from './layout.js';
import { track } from './scope.js';
import { formatShape, inferReshape, normalizeAxis, type Shape, sizeOf } from './shape.js';
import { Storage } from './storage.js';
import { uploadEncoded } from './upload.js';

/** Options of {@link Tensor.fromBytes}. */
export interface FromBytesOptions {
  /** The dtype to keep on the device (default f32 for float encodings, else the encoding). */
  dtype?: DType;
  /** Default: the current device. */
  device?: Device;
}

/** Typed arrays accepted as tensor data. */
export type TensorData = Float32Array | Int32Array | Uint32Array | readonly number[];

/**
 * An n-dimensional array on the GPU: a {@link Storage} buffer plus a {@link Layout} (shape,
 * strides, offset) and a dtype. Views (permute, narrow, expand…) share the storage.
 *
 * The class runs no kernels: ops that may copy or read back (`reshape`, `contiguous`, `cast`,
 * `data`, `item`) are free functions in `ops/`, which import this file and never the reverse.
 *
 * Tensors are immutable values: ops return new tensors. The caller owns every tensor it gets and
 * frees it with {@link Tensor.dispose} or by creating it inside a `scope`.
 */
export class Tensor {
  private store: Storage;
  private layoutValue: Layout;
  private disposed = false;

  /** @internal Use the creation ops (`tensor`, `zeros`, …) or `Tensor.fromBytes` instead. */
  constructor(
    storage: Storage,
    layout: Layout,
    readonly dtype: DType,
  ) {
    this.store = storage;
    this.layoutValue = layout;
    track(this);
  }

  /**
   * A contiguous tensor of `shape` in a pooled buffer whose contents are undefined: the output of a
   * kernel that writes every element.
   */
  static empty(device: Device, shape: Shape, dtype: DType = 'f32'): Tensor {
    return Tensor.allocate(device, contiguousLayout(shape), dtype);
  }

  /**
   * Like {@link Tensor.empty} with `like`'s shape, but dense in `like`'s memory order (see
   * `denseLayoutLike`): for kernels whose output should stay a permuted view when the input is one.
   */
  static emptyLike(like: Tensor, dtype: DType = like.dtype): Tensor {
    return Tensor.allocate(like.device, denseLayoutLike(like.layout), dtype);
  }

  /** A pooled buffer for a dense `layout` (at least 4 bytes, as WebGPU bindings require). */
  private static allocate(device: Device, layout: Layout, dtype: DType): Tensor {
    const bytes = Math.max(4, sizeOf(layout.shape) * bytesPerElement(dtype));
    const buffer = device.pool.acquire(bytes, undefined, { shape: layout.shape, dtype });
    return new Tensor(new Storage(device, buffer), layout, dtype);
  }

  /** Wraps a fresh buffer holding a contiguous tensor of `shape`. */
  static fromBuffer(device: Device, buffer: GPUBuffer, shape: Shape, dtype: DType): Tensor {
    return new Tensor(new Storage(device, buffer), contiguousLayout(shape), dtype);
  }

  /** Uploads numbers (converted to `dtype`, default f32 for plain arrays). */
  static fromArray(
    data: TensorData,
    shape: Shape,
    dtype?: DType,
    device: Device = currentDevice(),
  ): Tensor {
    const type =
      dtype ?? (data instanceof Int32Array ? 'i32' : data instanceof Uint32Array ? 'u32' : 'f32');
    if (data.length !== sizeOf(shape)) {
      throw new RangeError(
        `tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`,
      );
    }
    // Narrowing to 16 bits runs a cast kernel, which lives in ops/ (above this class): see `tensor()`.
    if (isHalf(type))
      throw new TypeError(
        `Tensor.fromArray: ${type} needs a cast kernel; use tensor(data, shape, '${type}') instead`,
      );
    const Ctor = type === 'i32' ? Int32Array : type === 'u32' ? Uint32Array : Float32Array;
    const arr = data instanceof Ctor ? data : Ctor.from(data as ArrayLike<number>);
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    return Tensor.fromBuffer(device, device.upload(bytes, { shape, dtype: type }), shape, type);
  }

  /**
   * Uploads raw little-endian bytes as stored in checkpoint files, keeping them as
   * `options.dtype`: by default f32, so f16 and bf16 bytes are widened on the GPU (exact). Asking
   * for the bytes' own dtype (`'bf16'` for bf16 bytes) stores them as they are, at 2 bytes per
   * element for 16-bit ones; bf16 bytes stored as f16 (or the reverse, or f32 bytes as either)
   * are rounded to nearest even on the GPU.
   */
  static fromBytes(
    bytes: Uint8Array,
    encoding: ByteEncoding,
    shape: Shape,
    options: FromBytesOptions = {},
  ): Tensor {
    const device = options.device ?? currentDevice();
    const dtype = options.dtype ?? (isFloat(encoding) ? 'f32' : encoding);
    const expected = sizeOf(shape) * bytesPerElement(encoding);
    if (bytes.byteLength !== expected) {
      throw new RangeError(
        `fromBytes: ${bytes.byteLength} bytes given for ${encoding} shape ${formatShape(shape)}, expected ${expected}`,
      );
    }
    return Tensor.fromBuffer(
      device,
      uploadEncoded(device, bytes, encoding, shape, dtype),
      shape,
      dtype,
    );
  }

  get device(): Device {
    return this.store.device;
  }
  get shape(): readonly number[] {
    return this.layoutValue.shape;
  }
  get strides(): readonly number[] {
    return this.layoutValue.strides;
  }
  /** Element offset of this view into its storage buffer. */
  get offset(): number {
    return this.layoutValue.offset;
  }
  get layout(): Layout {
    return this.layoutValue;
  }
  get rank(): number {
    return this.layoutValue.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return sizeOf(this.layoutValue.shape);
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  get isContiguous(): boolean {
    return isContiguous(this.layoutValue);
  }

  /** The GPU buffer behind this tensor (shared with its views). Throws once disposed. */
  get buffer(): GPUBuffer {
    this.assertAlive('buffer');
    return this.store.buffer;
  }

  /** A new tensor handle over the same storage with another layout. */
  view(layout: Layout): Tensor {
    this.assertAlive('view');
    return new Tensor(this.store.retain(), layout, this.dtype);
  }

  /**
   * Same data, new shape (one entry may be -1), as a view; `undefined` when the strides do not
   * allow one. The `reshape` op copies in that case (copying is a kernel, so it lives in ops/).
   */
  reshapeView(shape: Shape): Tensor | undefined {
    const layout = reshapeLayout(this.layoutValue, inferReshape(shape, this.size, this.shape));
    return layout && this.view(layout);
  }

  /** Reorders axes without copying. */
  permute(axes: readonly number[]): Tensor {
    return this.view(permuteLayout(this.layoutValue, axes));
  }

  /** Swaps two axes (default: the last two) without copying. */
  transpose(a = -2, b = -1): Tensor {
    const axes = this.shape.map((_, i) => i);
    const i = normalizeAxis(a, this.rank, 'transpose');
    const j = normalizeAxis(b, this.rank, 'transpose');
    axes[i] = j;
    axes[j] = i;
    return this.permute(axes);
  }

  /** Keeps `length` entries of `axis` from `start`, without copying. */
  narrow(axis: number, start: number, length: number): Tensor {
    return this.view(narrowLayout(this.layoutValue, axis, start, length));
  }

  /** `slice(axis, start, end)`: like Python's `x[..., start:end]` on one axis (negative indices count from the end). */
  slice(axis: number, start: number, end?: number): Tensor {
    const a = normalizeAxis(axis, this.rank, 'slice');
    const dim = this.shape[a] as number;
    const s = start < 0 ? start + dim : start;
    const e = end === undefined ? dim : end < 0 ? end + dim : end;
    return this.narrow(a, s, Math.max(0, e - s));
  }

  /** Broadcasts size-1 dims to `shape` without copying (stride 0). */
  expand(shape: Shape): Tensor {
    return this.view(expandLayout(this.layoutValue, shape));
  }

  /** Inserts a size-1 axis. */
  unsqueeze(axis: number): Tensor {
    const a = normalizeAxis(axis, this.rank + 1, 'unsqueeze');
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(a, 0, 1);
    strides.splice(
      a,
      0,
      a < this.rank ? (this.strides[a] as number) * (this.shape[a] as number) : 1,
    );
    return this.view({ shape, strides, offset: this.offset });
  }

  /** Removes a size-1 axis (or every size-1 axis when none is given). */
  squeeze(axis?: number): Tensor {
    const keepAxis = (i: number) =>
      axis === undefined ? this.shape[i] !== 1 : i !== normalizeAxis(axis, this.rank, 'squeeze');
    if (axis !== undefined && this.shape[normalizeAxis(axis, this.rank, 'squeeze')] !== 1) {
      throw new RangeError(`squeeze: axis ${axis} of shape ${formatShape(this.shape)} is not 1`);
    }
    const idx = this.shape.map((_, i) => i).filter(keepAxis);
    return this.view({
      shape: idx.map((i) => this.shape[i] as number),
      strides: idx.map((i) => this.strides[i] as number),
      offset: this.offset,
    });
  }

  /**
   * Makes this tensor take `source`'s values (by sharing its storage): how optimizers update
   * parameters in place without reading them back. Shapes and dtypes must match.
   */
  assign(source: Tensor): this {
    this.assertAlive('assign');
    if (
      source.dtype !== this.dtype ||
      source.shape.length !== this.rank ||
      source.shape.some((d, i) => d !== this.shape[i])
    ) {
      throw new RangeError(
        `assign: source ${source.dtype}${formatShape(source.shape)} does not match target ${this.dtype}${formatShape(this.shape)}`,
      );
    }
    const next = source.store.retain();
    this.store.release();
    this.store = next;
    this.layoutValue = source.layoutValue;
    return this;
  }

  /** Returns the storage to the pool (once every view of it is disposed). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.store.release();
  }

  /** Throws a clear error when a disposed tensor is used. */
  assertAlive(what: string): void {
    if (this.disposed)
      throw new Error(
        `${what}: tensor ${this.dtype}${formatShape(this.shape)} was already disposed`,
      );
  }

  toString(): string {
    return `Tensor(${this.dtype}${formatShape(this.shape)}${this.disposed ? ', disposed' : ''})`;
  }
}
