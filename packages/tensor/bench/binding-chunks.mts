/**
 * What reading a tensor in row chunks costs: x [8, 1024] · Wᵀ and an embedding lookup on a
 * 49152×1024 f32 table (192 MiB), on one adapter, with the table bound whole and in chunks (a
 * device whose binding limit is lowered to 128 MiB, as on lavapipe). Prints median ms over the
 * repetitions and the peak bytes beyond the inputs; on an adapter that cannot bind 192 MiB
 * (lavapipe) only the chunked run.
 *
 *   node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx packages/tensor/bench/binding-chunks.mts [--reps=N]
 */
import { Device, embedding, matmul, seededRandom, type Tensor, tensor } from '../src/index.js';

const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 5);
const [V, D] = [49152, 1024];

async function median(device: Device, run: () => Tensor): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const out = run();
    await device.sync();
    if (i > 0) times.push(performance.now() - t0); // the first run compiles
    out.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const next = seededRandom(1);
const table = Float32Array.from({ length: V * D }, () => next() - 0.5);
const input = Float32Array.from({ length: 8 * D }, () => next() - 0.5);

for (const limit of [undefined, 128 * 2 ** 20]) {
  const device = await Device.create({ limitsOverride: { maxStorageBufferBindingSize: limit } });
  const whole = limit === undefined;
  if (whole && device.bufferLimits.maxStorageBufferBindingSize < V * D * 4) {
    console.log(`${device.describe().split(';')[0]} | whole: this adapter cannot bind 192 MiB`);
    device.destroy();
    continue;
  }
  const label = whole ? 'whole (no override)' : 'chunks (128 MiB limit)';
  // Uploads, not kernels: a kernel could not write the 192 MiB table under the 128 MiB limit.
  const w = tensor(table, [V, D], 'f32', device);
  const x = tensor(input, [8, D], 'f32', device);
  const ids = tensor(
    Int32Array.from({ length: 512 }, (_, i) => (i * 9973) % V),
    [512],
    'i32',
    device,
  );
  await device.sync();
  device.pool.resetPeak();
  const before = device.memoryStats().bytesLive;
  const mm = await median(device, () => matmul(x, w.transpose()));
  const emb = await median(device, () => embedding(w, ids));
  const peak = device.memoryStats().peakBytesLive - before;
  console.log(
    `${device.describe().split(';')[0]} | ${label}: matmul ${mm.toFixed(1)} ms, embedding ${emb.toFixed(1)} ms, peak +${(peak / 2 ** 20).toFixed(2)} MiB`,
  );
  device.destroy();
}
