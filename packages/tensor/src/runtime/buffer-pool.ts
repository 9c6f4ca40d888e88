/**
 * Reuses GPU buffers, because creating one costs far more than a kernel on small tensors.
 *
 * Sizes are rounded up to buckets with four steps per power of two (at most 25% waste), and each
 * bucket keeps a free list. A buffer released while commands that use it are still being recorded
 * is parked until the next submit: `queue.writeBuffer` runs before unsubmitted commands, so handing
 * it out earlier could let an upload overwrite data a queued kernel has yet to read.
 * Pooled bytes are capped; past the cap released buffers are destroyed.
 */
export interface MemoryStats {
  /** Bytes in buffers held by live tensors (and in-flight temporaries). */
  bytesLive: number;
  /** Bytes in free buffers kept for reuse. */
  bytesPooled: number;
  /** Largest `bytesLive` seen since the device was created or {@link BufferPool.resetPeak}. */
  peakBytesLive: number;
  /** Buffers created so far (a pool that works keeps this flat in a steady loop). */
  buffersCreated: number;
}

const STORAGE_USAGE = 0x0080 | 0x0004 | 0x0008; // STORAGE | COPY_SRC | COPY_DST

export function bucketSize(bytes: number): number {
  const size = Math.max(16, Math.ceil(bytes / 4) * 4);
  const step = 2 ** Math.max(2, Math.floor(Math.log2(size)) - 2);
  return Math.ceil(size / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private parked: GPUBuffer[] = [];
  private readonly stats: MemoryStats = {
    bytesLive: 0,
    bytesPooled: 0,
    peakBytesLive: 0,
    buffersCreated: 0,
  };

  constructor(
    private readonly device: GPUDevice,
    /** Most bytes kept in free lists. */
    public capBytes: number,
  ) {}

  /** A storage buffer of at least `bytes` bytes (usage STORAGE | COPY_SRC | COPY_DST). */
  acquire(bytes: number, usage = STORAGE_USAGE): GPUBuffer {
    const size = bucketSize(bytes);
    const list = this.free.get(key(size, usage));
    let buffer = list?.pop();
    if (buffer) {
      this.stats.bytesPooled -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage });
      this.stats.buffersCreated++;
    }
    this.stats.bytesLive += size;
    if (this.stats.bytesLive > this.stats.peakBytesLive)
      this.stats.peakBytesLive = this.stats.bytesLive;
    return buffer;
  }

  /** Returns a buffer; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.stats.bytesLive -= buffer.size;
    this.parked.push(buffer);
  }

  /** Called after a submit: parked buffers can no longer be overtaken by uploads. */
  onSubmitted(): void {
    for (const buffer of this.parked) {
      if (this.stats.bytesPooled + buffer.size > this.capBytes) {
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
  }

  /** Destroys every pooled buffer (live ones are untouched). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.stats.bytesPooled = 0;
  }

  memoryStats(): MemoryStats {
    return { ...this.stats };
  }

  resetPeak(): void {
    this.stats.peakBytesLive = this.stats.bytesLive;
  }
}

function key(size: number, usage: number): string {
  return `${usage}:${size}`;
}
