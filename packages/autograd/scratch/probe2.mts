import * as T from '@llm-streamline/tensor';

const t00 = performance.now();
const device = await T.getDevice();
console.log('device ms', performance.now() - t00);
for (const n of [4, 4096]) {
  const a = T.randNormal([n], 0, 1, { seed: 1 });
  await device.sync();
  for (const rep of [0, 1]) {
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) {
      const b = T.add(a, a);
      b.dispose();
    }
    const t1 = performance.now();
    await device.sync();
    console.log(n, rep, 'record ms', t1 - t0, 'total', performance.now() - t0);
  }
}
