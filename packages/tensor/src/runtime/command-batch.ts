import type { BufferPool } from './buffer-pool.js';

/**
 * Records many dispatches into one command encoder and submits them together: a submit per
 * kernel costs more than the kernel itself for small tensors. The batch is flushed when it
 * reaches `maxDispatches`, before a readback, or on demand.
 */
export class CommandBatch {
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private count = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    public maxDispatches: number,
  ) {}

  /** Dispatches recorded but not yet submitted. */
  get pending(): number {
    return this.count;
  }

  dispatch(
    pipeline: GPUComputePipeline,
    bindGroup: GPUBindGroup,
    workgroups: readonly [number, number, number],
  ): void {
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
    if (++this.count >= this.maxDispatches) this.flush();
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.encoder ??= this.device.createCommandEncoder();
    this.pass?.end();
    this.pass = undefined;
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.count++;
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (this.encoder) {
      this.pass?.end();
      this.device.queue.submit([this.encoder.finish()]);
    }
    this.encoder = undefined;
    this.pass = undefined;
    this.count = 0;
    this.pool.onSubmitted();
  }
}
