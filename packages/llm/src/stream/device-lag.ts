/**
 * How far a streamed walk's host side may run ahead of the device. An upload is staged in host
 * memory (`queue.writeBuffer` copies the bytes) until the device has executed the commands queued
 * before it, and reading and recording a layer takes the host far less time than computing it
 * takes the device (always on a CPU adapter). Unchecked, the host would read and stage every layer
 * of the model while the device was still on the first: the whole checkpoint in host memory
 * (13 GB for a 7B model) whatever the device budget. So a layer's upload waits until the device
 * has finished the layer two before it: the one computing now may overlap the upload, and at most
 * about two layers are staged at once.
 */
export class DeviceLag {
  /** Per layer index, a promise that the device has finished that layer's submitted work. */
  private readonly finished: Promise<void>[] = [];

  /**
   * `submittedWorkDone` resolves once the device has finished everything submitted so far (the
   * device's `sync()`, called right after a layer's work is submitted).
   */
  constructor(private readonly submittedWorkDone: () => Promise<void>) {}

  /** Notes that layer `k`'s work has been submitted; its completion is watched from now on. */
  submitted(k: number): void {
    const done = this.submittedWorkDone();
    // A device failure surfaces when the walk awaits this (or at its next read); until then it
    // must not count as an unhandled rejection.
    done.catch(() => {});
    this.finished[k] = done;
  }

  /**
   * Settles when the device has finished layer `k`'s work (undefined before it is submitted):
   * what a wait for the next layer's upload starts to cost the device from.
   */
  workDone(k: number): Promise<void> | undefined {
    return this.finished[k];
  }

  /** Resolves when layer `k`'s upload may start: once the device has finished layer k − 2. */
  async beforeUpload(k: number): Promise<void> {
    await this.finished[k - LAYERS_IN_FLIGHT];
  }
}

/** Layers whose work or upload may be pending on the device at once: the one computing, the next. */
const LAYERS_IN_FLIGHT = 2;
