/**
 * Loading a checkpoint costs the device the final weights plus one tensor in flight (its raw
 * bytes and its widened values), however many tensors the checkpoint has: each tensor is settled
 * before the next is read, and nothing is left behind in the buffer pool.
 */
import { bucketSize, type Device, getDevice, sizeOf } from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { loadHfModel } from '../src/load/load-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { checkpointDims, checkpointLayout } from '../src/synthetic/checkpoint-layout.js';
import { checkpointPreset } from '../src/synthetic/checkpoint-presets.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

/** SmolLM2's layout at 4 layers and small dimensions: 38 tensors, the embedding the largest. */
const CONFIG = {
  ...checkpointPreset('smollm2-135m'),
  num_hidden_layers: 4,
  hidden_size: 64,
  intermediate_size: 96,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 1000,
};

describe('loading memory', () => {
  let device: Device;
  beforeAll(async () => {
    device = await getDevice();
  });

  // Kept as BF16 (auto), a tensor in flight is its bytes; widened to f32, its bytes and its f32 copy.
  it.each([
    ['auto', 2, (n: number) => bucketSize(2 * n)],
    ['f32', 4, (n: number) => bucketSize(2 * n) + bucketSize(4 * n)],
  ] as const)(
    'peaks at the final weights plus one tensor in flight, and pools nothing (weights %s)',
    async (weightsDtype, bytesPerParameter, inFlightOf) => {
      const sink = new MemorySink();
      await writeRandomCheckpoint(CONFIG, sink, { dtype: 'BF16' });
      const dir = memoryModelDirectory(Object.fromEntries(sink.files), 'small-smollm2');
      await device.sync();
      device.pool.trim();
      device.pool.resetPeak();
      const before = device.memoryStats().bytesLive;

      // Work still queued when a tensor is done would hold its staging copy and the placeholder it
      // replaced (neither counted as live): each tensor must be settled before the next is read.
      const queuedAfterEachTensor: number[] = [];
      const { model } = await loadHfModel(dir, {
        weightsDtype,
        onProgress: () => queuedAfterEachTensor.push(device.batch.pending),
      });
      await device.sync();
      const after = device.memoryStats();
      const weights = after.bytesLive - before;
      // The largest tensor in flight, in pool-sized buffers.
      const layout = checkpointLayout(checkpointDims(CONFIG));
      const inFlight = inFlightOf(Math.max(...layout.map((t) => sizeOf(t.shape))));
      const kernelParams = 1024; // the small uniform buffers kernels bind, released as they are recorded
      expect(layout.length).toBe(38);
      expect(queuedAfterEachTensor).toEqual(layout.map(() => 0));
      expect(weights).toBeGreaterThanOrEqual(
        bytesPerParameter * layout.reduce((n, t) => n + sizeOf(t.shape), 0),
      );
      expect(after.peakBytesLive - before).toBeLessThanOrEqual(weights + inFlight + kernelParams);
      expect(after.bytesPooled).toBe(0);
      model.dispose();
    },
  );
});
