import { DeviceLimitError, type TensorDescription } from '../device/device-limit-error.js';
import {
  type BufferBinding,
  type BufferRange,
  boundBuffer,
  isBufferRange,
} from './buffer-range.js';

/**
 * Reuses GPU buffers, because creating one costs far more than a kernel on small tensors.
 *
 * Sizes up to {@link EXACT_SIZE_ABOVE} are rounded up to buckets with four steps per power of two
 * (at most 25% waste), and each bucket keeps a free list; larger buffers are made at their exact
 * size and reused by exact size (see {@link bucketSize} for why). Every request is checked
 * against the adapter's `maxBufferSize` first, and large ones are created inside an
 * `out-of-memory` error scope, so that a tensor that does not fit fails with a
 * {@link DeviceLimitError} naming it. A buffer released while commands that use it are still being
 * recorded is parked until the next submit: `queue.writeBuffer` runs before unsubmitted commands,
 * so handing it out earlier could let an upload overwrite data a queued kernel has yet to read.
 * Pooled bytes are capped; past the cap released buffers are destroyed.
 */
export interface MemoryStats {
  /** Bytes in buffers held by live tensors (and in-flight temporaries). */
  bytesLive: number;
  /** Bytes in free buffers kept for reuse. */
  bytesPooled: number;
  /** Largest `bytesLive` seen since the device was created or {@link BufferPool.resetPeak}. */
  peakBytesLive: number;
  /**
   * Largest number of bytes the device held at once in buffers of this pool (live, pooled, or
   * released and awaiting the next submit), since creation or {@link BufferPool.resetPeak}: what
   * a memory budget must cover, since a pooled buffer is memory the device still holds.
   */
  peakBytesHeld: number;
  /** Buffers created so far (a pool that works keeps this flat in a steady loop). */
  buffersCreated: number;
}

/** The adapter limits buffers are checked against (the device's, or smaller ones for tests). */
export interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** What the pool needs from its device to check allocations and report failures. */
export interface AllocationGuard {
  limits: BufferLimits;
  /** The adapter in words, for error messages. */
  adapter: string;
  /** Receives the out-of-memory errors that arrive after `acquire` returned (error scopes are async). */
  onLateError(error: DeviceLimitError): void;
}

const STORAGE_USAGE = 0x0080 | 0x0004 | 0x0008; // STORAGE | COPY_SRC | COPY_DST
const STORAGE = 0x0080;

/**
 * Buffers above 64 MiB get their exact size. Why 64 MiB: below it a bucket wastes at most 16 MiB,
 * and rounding can never carry a tensor over a limit of 64 MiB or more; WebGPU guarantees every
 * adapter at least 128 MiB for `maxStorageBufferBindingSize` and 256 MiB for `maxBufferSize`, so a
 * tensor that fits the adapter also fits its buffer. Above it the waste would be real (a 1002 MiB
 * embedding rounded to 1024 MiB is over SwiftShader's 1 GiB), and tensors that large are weights
 * or whole-batch activations whose sizes repeat exactly, so exact-size reuse still hits.
 */
export const EXACT_SIZE_ABOVE = 64 * 2 ** 20;

/** Fresh buffers at least this large are created inside an `out-of-memory` error scope. */
export const OUT_OF_MEMORY_SCOPE_FROM = 16 * 2 ** 20;

/** The size of the buffer that holds `bytes`: a bucket up to {@link EXACT_SIZE_ABOVE}, exact above. */
export function bucketSize(bytes: number): number {
  const size = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (size > EXACT_SIZE_ABOVE) return size;
  const step = 2 ** Math.max(2, Math.floor(Math.log2(size)) - 2);
  return Math.ceil(size / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private parked: GPUBuffer[] = [];
  /** Buffers over the binding limit, with the tensor they were made for: named when bound. */
  private readonly unbindable = new WeakMap<GPUBuffer, TensorDescription>();
  /** Whether any buffer too large to bind whole was ever made: until then bindings need no check. */
  private anyUnbindable = false;
  /** Buffers whose creation failed (out of memory): destroyed instead of pooled. */
  private readonly failed = new WeakSet<GPUBuffer>();
  /** Out-of-memory checks (error scopes) that have not reported yet. */
  private readonly pending = new Set<Promise<void>>();
  private readonly stats: MemoryStats = {
    bytesLive: 0,
    bytesPooled: 0,
    peakBytesLive: 0,
    peakBytesHeld: 0,
    buffersCreated: 0,
  };
  /** Bytes in buffers released but not yet pooled or destroyed (see {@link BufferPool.release}). */
  private parkedBytes = 0;

  /**
   * A device memory budget: when set, pooled buffers are given back (destroyed) whenever keeping
   * them would make the pool hold more than this many bytes in all (live, pooled and parked), so
   * caching never spends memory the budget does not have. Live bytes are the caller's to plan.
   */
  budgetBytes: number | undefined;
  /**
   * Submits the recorded commands (the device's command batch), turning parked buffers into
   * reusable ones: what a budget falls back on when freeing pooled buffers is not enough.
   */
  submitPending: (() => void) | undefined;

  constructor(
    private readonly device: GPUDevice,
    /** Most bytes kept in free lists. */
    public capBytes: number,
    private readonly guard: AllocationGuard,
  ) {}

  /** The device's `minStorageBufferOffsetAlignment`: where a bound range may start. */
  get alignment(): number {
    return this.device.limits.minStorageBufferOffsetAlignment;
  }

  /**
   * A buffer of at least `bytes` bytes (default usage STORAGE | COPY_SRC | COPY_DST). `what` names
   * the tensor it is for in a {@link DeviceLimitError} when it does not fit.
   */
  acquire(bytes: number, usage = STORAGE_USAGE, what: TensorDescription = {}): GPUBuffer {
    const needed = Math.ceil(bytes / 4) * 4;
    const { maxBufferSize } = this.guard.limits;
    if (needed > maxBufferSize)
      throw new DeviceLimitError({
        limit: 'maxBufferSize',
        bytes: needed,
        limitBytes: maxBufferSize,
        tensor: what,
        adapter: this.guard.adapter,
      });
    const size = this.sizeFor(bytes);
    const list = this.free.get(key(size, usage));
    let buffer = list?.pop();
    if (buffer) {
      this.stats.bytesPooled -= size;
    } else {
      this.evictFor(size);
      buffer = this.create(size, usage, what);
    }
    if (size > this.guard.limits.maxStorageBufferBindingSize && usage & STORAGE) {
      this.unbindable.set(buffer, what);
      this.anyUnbindable = true;
    }
    this.stats.bytesLive += size;
    if (this.stats.bytesLive > this.stats.peakBytesLive)
      this.stats.peakBytesLive = this.stats.bytesLive;
    this.notePeakHeld();
    return buffer;
  }

  /**
   * Throws a {@link DeviceLimitError} when a binding (a whole buffer, or the range of one that an
   * op binds) is over the binding limit; `op` is the kernel. A whole-buffer binding costs nothing
   * until a buffer that large exists (the usual case): `run` calls it for every binding.
   */
  checkBinding(binding: BufferBinding, op: string): void {
    if (isBufferRange(binding)) checkRange(binding, this.alignment, op);
    if (!this.anyUnbindable) return;
    const limit = this.guard.limits.maxStorageBufferBindingSize;
    if (binding.size <= limit) return;
    throw new DeviceLimitError({
      limit: 'maxStorageBufferBindingSize',
      bytes: binding.size,
      limitBytes: limit,
      tensor: { ...this.unbindable.get(boundBuffer(binding)), op },
      adapter: this.guard.adapter,
    });
  }

  /** Returns a buffer; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.stats.bytesLive -= buffer.size;
    this.parkedBytes += buffer.size;
    this.parked.push(buffer);
  }

  /** Called after a submit: parked buffers can no longer be overtaken by uploads. */
  onSubmitted(): void {
    const budget = this.budgetBytes ?? Number.POSITIVE_INFINITY;
    for (const buffer of this.parked) {
      if (
        this.stats.bytesPooled + buffer.size > this.capBytes ||
        this.stats.bytesLive + this.stats.bytesPooled + buffer.size > budget ||
        this.failed.has(buffer)
      ) {
        buffer.destroy();
        continue;
      }
      const k = key(buffer.size, buffer.usage);
      const list = this.free.get(k) ?? [];
      if (list.length === 0) this.free.set(k, list);
      list.push(buffer);
      this.stats.bytesPooled += buffer.size;
    }
    this.parked = [];
    this.parkedBytes = 0;
  }

  /**
   * Under a budget, destroys pooled buffers (largest first) until a new one of `size` bytes keeps
   * the pool within it, or none is left. Parked buffers may still be in unsubmitted commands and
   * cannot be destroyed; they are counted, and settled at the next submit.
   */
  private evictFor(size: number): void {
    if (this.budgetBytes === undefined || this.bytesHeld + size <= this.budgetBytes) return;
    this.evictPooled(size, this.budgetBytes);
    // Freed buffers still parked are memory held too: submitting lets them be reused or freed.
    if (this.bytesHeld + size > this.budgetBytes && this.parkedBytes > 0 && this.submitPending) {
      this.submitPending();
      this.evictPooled(size, this.budgetBytes);
    }
  }

  private evictPooled(size: number, budget: number): void {
    const lists = [...this.free.entries()].sort(
      ([, a], [, b]) => (b[0]?.size ?? 0) - (a[0]?.size ?? 0),
    );
    for (const [k, list] of lists) {
      while (list.length > 0 && this.bytesHeld + size > budget) {
        const buffer = list.pop() as GPUBuffer;
        this.stats.bytesPooled -= buffer.size;
        buffer.destroy();
      }
      if (list.length === 0) this.free.delete(k);
      if (this.bytesHeld + size <= budget) return;
    }
  }

  /** Destroys every pooled buffer (live ones are untouched). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.stats.bytesPooled = 0;
  }

  /** True while an allocation's out-of-memory check has not reported. */
  get checksPending(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves when every pending out-of-memory check has reported. */
  async checksSettled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  memoryStats(): MemoryStats {
    return { ...this.stats };
  }

  resetPeak(): void {
    this.stats.peakBytesLive = this.stats.bytesLive;
    this.stats.peakBytesHeld = this.bytesHeld;
  }

  /** Bytes the device holds in this pool's buffers now: live, pooled and parked. */
  get bytesHeld(): number {
    return this.stats.bytesLive + this.stats.bytesPooled + this.parkedBytes;
  }

  private notePeakHeld(): void {
    if (this.bytesHeld > this.stats.peakBytesHeld) this.stats.peakBytesHeld = this.bytesHeld;
  }

  /** The bucket, unless rounding up would cross a limit the exact size is within (small test limits). */
  private sizeFor(bytes: number): number {
    const size = bucketSize(bytes);
    const exact = Math.max(16, Math.ceil(bytes / 4) * 4);
    const { maxBufferSize, maxStorageBufferBindingSize } = this.guard.limits;
    const crosses = (limit: number) => size > limit && exact <= limit;
    return crosses(maxBufferSize) || crosses(maxStorageBufferBindingSize) ? exact : size;
  }

  private create(size: number, usage: number, what: TensorDescription): GPUBuffer {
    const { adapter } = this.guard;
    this.stats.buffersCreated++;
    if (size < OUT_OF_MEMORY_SCOPE_FROM) return this.device.createBuffer({ size, usage });
    // Creation itself never throws: a refused allocation is an error the scope reports later.
    const inUse = this.stats.bytesLive;
    // Dawn in Node reports a refused allocation as out-of-memory; Chromium as a validation error.
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const buffer = this.device.createBuffer({ size, usage });
    const scopes = [this.device.popErrorScope(), this.device.popErrorScope()];
    const check: Promise<void> = Promise.all(scopes).then(
      ([invalid, outOfMemory]): void => {
        this.pending.delete(check);
        const error = outOfMemory ?? invalid;
        if (!error) return;
        this.failed.add(buffer);
        this.guard.onLateError(
          new DeviceLimitError({
            limit: 'out-of-memory',
            bytes: size,
            limitBytes: inUse,
            tensor: what,
            adapter,
            driverMessage: error.message,
          }),
        );
      },
      (): void => {
        this.pending.delete(check); // the device was lost: that error says more
      },
    );
    this.pending.add(check);
    return buffer;
  }
}

/**
 * A range WebGPU would reject, as an error now (naming the kernel) rather than a validation error
 * reported later by the device with no hint of which op made it.
 */
function checkRange(range: BufferRange, alignment: number, op: string): void {
  const { buffer, offset, size } = range;
  if (offset % alignment !== 0 || size % 4 !== 0 || size <= 0 || offset + size > buffer.size)
    throw new RangeError(
      `${op}: bound range [${offset}, ${offset + size}) of a ${buffer.size}-byte buffer must start at a multiple of ${alignment} bytes (minStorageBufferOffsetAlignment), have a positive size that is a multiple of 4, and lie inside the buffer`,
    );
}

function key(size: number, usage: number): string {
  return `${usage}:${size}`;
}
