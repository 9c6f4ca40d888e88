/**
 * `tsx bench/weight-dtypes.mts [M,K,N] [reps]`: x[M, K] · W[N, K]ᵀ (a linear layer, as autograd's
 * `linear` and the LM head run it) with W stored as f32, bf16 and f16, on the current adapter.
 *
 * The three are timed in turn within each repetition, so load from other processes on a shared
 * machine falls on all of them alike; `bench/run.mts` times cases one after another, which on a
 * busy machine can put minutes of different load between the f32 and the 16-bit case.
 */
import { cast, getDevice, matmul, type Tensor, tensor } from '../src/index.js';
import { randomData } from './libraries.js';

const [M, K, N] = (process.argv[2] ?? '512,2048,2048').split(',').map(Number) as [
  number,
  number,
  number,
];
const reps = Number(process.argv[3] ?? 5);
const device = await getDevice();
const x = tensor(randomData(M * K, 1), [M, K]);
const f32 = tensor(randomData(N * K, 2), [N, K]);
const weights: Record<string, Tensor> = { f32, bf16: cast(f32, 'bf16'), f16: cast(f32, 'f16') };
const times: Record<string, number[]> = { f32: [], bf16: [], f16: [] };
const run = async (w: Tensor) => {
  const t0 = performance.now();
  matmul(x, w.transpose()).dispose();
  await device.sync();
  return performance.now() - t0;
};
for (const w of Object.values(weights)) await run(w); // compile and warm up
for (let r = 0; r < reps; r++)
  for (const [name, w] of Object.entries(weights)) times[name]?.push(await run(w));

console.log(`device: ${device.describe()}`);
console.log(`x[${M}, ${K}] · W[${N}, ${K}]ᵀ, ${reps} interleaved repetitions`);
const rate = (ms: number) => ((2 * M * K * N) / (ms * 1e6)).toFixed(2);
for (const [name, t] of Object.entries(times)) {
  t.sort((a, b) => a - b);
  const [best, median] = [t[0] as number, t[t.length >> 1] as number];
  console.log(
    `W ${name.padEnd(4)} best ${best.toFixed(0)} ms (${rate(best)} GFLOP/s), median ${median.toFixed(0)} ms (${rate(median)} GFLOP/s)`,
  );
}
process.exit(0);
