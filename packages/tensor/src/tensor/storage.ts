import type { Device } from '../device/device.js';

/**
 * A GPU buffer shared by a tensor and all its views. It goes back to the pool when the last
 * tensor referring to it is disposed.
 */
export class Storage {
  private refs = 1;

  constructor(
    readonly device: Device,
    readonly buffer: GPUBuffer,
  ) {}

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0) this.device.pool.release(this.buffer);
  }
}
