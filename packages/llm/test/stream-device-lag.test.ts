/**
 * A streamed walk's host side waits for the device: layer k's upload starts only once the device
 * has finished layer k − 2, so at most about two layers are staged in host memory however much
 * faster the host reads than the device computes. Checked against a scripted device whose work
 * finishes only when the test says so.
 */
import { describe, expect, it } from 'vitest';
import { DeviceLag } from '../src/stream/device-lag.js';

/** A device whose submitted work finishes one submission at a time, when `finishNext` is called. */
function scriptedDevice() {
  const unfinished: (() => void)[] = [];
  return {
    submittedWorkDone: () => new Promise<void>((resolve) => unfinished.push(resolve)),
    finishNext: () => (unfinished.shift() as () => void)(),
  };
}

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

describe('DeviceLag', () => {
  it('lets the first two layers upload at once', async () => {
    const lag = new DeviceLag(scriptedDevice().submittedWorkDone);
    expect(await settled(lag.beforeUpload(0))).toBe(true);
    lag.submitted(0);
    expect(await settled(lag.beforeUpload(1))).toBe(true);
  });

  it("holds layer k's upload until the device has finished layer k − 2", async () => {
    const device = scriptedDevice();
    const lag = new DeviceLag(device.submittedWorkDone);
    lag.submitted(0);
    lag.submitted(1);
    const third = lag.beforeUpload(2);
    const fourth = lag.beforeUpload(3);
    expect(await settled(third)).toBe(false);
    device.finishNext(); // layer 0
    expect(await settled(third)).toBe(true);
    expect(await settled(fourth)).toBe(false);
    device.finishNext(); // layer 1
    expect(await settled(fourth)).toBe(true);
  });

  it('passes a device failure to the upload that waits on it, and only to that one', async () => {
    const failure = new Error('device lost');
    const lag = new DeviceLag(() => Promise.reject(failure));
    lag.submitted(0); // unobserved until an upload waits on it: no unhandled rejection
    await expect(lag.beforeUpload(1)).resolves.toBeUndefined();
    await expect(lag.beforeUpload(2)).rejects.toBe(failure);
  });
});
