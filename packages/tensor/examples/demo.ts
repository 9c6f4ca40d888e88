/**
 * The smallest tour of the tensor library: find an adapter, upload data, run a few kernels,
 * read the result back. Run with `npm run demo` from the repository root.
 */
import {
  data,
  getDevice,
  item,
  matmul,
  mean,
  randNormal,
  scope,
  softmax,
  tensor,
} from '../src/index.js';

const device = await getDevice();
const { vendor, architecture, description, isCpu } = device.adapter;
console.log(`adapter: ${vendor} ${architecture} (${description})${isCpu ? ' [CPU]' : ''}`);
console.log(
  `kernels: ${device.kernelVariant}, features: ${[...device.features].join(', ') || 'none'}`,
);

const result = await scope(async () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tensor([1, 0, 0, 1, 1, 1], [3, 2]);
  const c = matmul(a, b); // [[4, 5], [10, 11]]
  const p = softmax(c, -1); // each row sums to 1
  const x = randNormal([256, 256], 0, 1, { seed: 42 });
  const gram = matmul(x, x.transpose()); // xᵀ read through strides: no copy
  return {
    c: [...(await data(c))],
    p: [...(await data(p))].map((v) => v.toFixed(4)),
    meanDiag: (await item(mean(gram))).toFixed(3),
  };
});
console.log('a·b =', result.c);
console.log('softmax(a·b) =', result.p);
console.log(
  'mean of x·xᵀ for x ~ N(0,1) 256×256 =',
  result.meanDiag,
  '(≈ 1, the diagonal carries 256/65536·256)',
);
console.log('memory:', device.memoryStats());
device.destroy();
