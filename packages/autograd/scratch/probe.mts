import * as T from '@llm-streamline/tensor';

const device = await T.getDevice();
console.log(device.adapter, device.kernelVariant);
const a = T.randNormal([64, 64], 0, 1, { seed: 1 });
let t0 = performance.now();
for (let i = 0; i < 1000; i++) {
  const b = T.add(a, 1);
  b.dispose();
}
await device.sync();
console.log('1000 small adds ms', performance.now() - t0);
t0 = performance.now();
for (let i = 0; i < 200; i++) {
  const b = T.matmul(a, a);
  b.dispose();
}
await device.sync();
console.log('200 64x64 matmul ms', performance.now() - t0);
const x = T.randNormal([1024, 128], 0, 1, { seed: 1 });
const w = T.randNormal([128, 352], 0, 1, { seed: 1 });
t0 = performance.now();
for (let i = 0; i < 10; i++) {
  const b = T.matmul(x, w);
  b.dispose();
}
await device.sync();
console.log('10 1024x128x352 matmul ms', performance.now() - t0);
