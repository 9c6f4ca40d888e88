import { beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  data,
  exp,
  item,
  keep,
  mean,
  mul,
  reshape,
  scope,
  sum,
  type Tensor,
  tensor,
  zeros,
} from '../src/index.js';
import { randomTensor, testDevice } from './helpers.js';

describe('memory: scopes, disposal and the buffer pool', () => {
  beforeAll(testDevice);

  it('a loop of 1000 mixed ops inside scopes returns live memory to its baseline', async () => {
    const device = await testDevice();
    const { t: w, x } = randomTensor([32, 32], 3);
    await device.sync();
    const baseline = device.memoryStats();
    let last = 0;
    let warm = baseline;
    for (let step = 0; step < 250; step++) {
      if (step === 50) warm = device.memoryStats();
      const s = scope(() => {
        const a = add(w, step); // 4 ops per step, each leaving intermediates
        const b = exp(mul(a, 0.001));
        const c = reshape(b.transpose(), [-1]);
        return sum(c);
      });
      if (step % 50 === 0) last = await item(s);
      s.dispose();
    }
    await device.sync();
    const after = device.memoryStats();
    expect(after.bytesLive).toBe(baseline.bytesLive);
    // Once warm, the pool serves every buffer: the last 200 steps (~1400 buffers) create almost none.
    expect(after.buffersCreated - warm.buffersCreated).toBeLessThan(10);
    // And the loop computed something real: sum(exp(0.001*(w+200))) at step 200.
    const expected = x.reduce((acc, v) => acc + Math.exp(0.001 * (v + 200)), 0);
    expect(last).toBeCloseTo(expected, 1);
    w.dispose();
  });

  it('scopes keep returned tensors (nested too) and tensors passed to keep()', () => {
    const kept = scope(() => {
      const inner = scope(() => {
        const a = zeros([4]);
        const b = add(a, 1);
        return { b, list: [a] };
      });
      const c = keep(zeros([2]));
      const temp = zeros([3]);
      return { inner, c, temp: temp.isDisposed };
    });
    expect(kept.inner.b.isDisposed).toBe(false);
    expect(kept.inner.list[0]?.isDisposed).toBe(false);
    expect(kept.c.isDisposed).toBe(false);
    for (const t of [kept.inner.b, kept.inner.list[0] as Tensor, kept.c]) t.dispose();
  });

  it('async scopes free intermediates after the awaited function', async () => {
    const device = await testDevice();
    await device.sync();
    const before = device.memoryStats().bytesLive;
    const value = await scope(async () => {
      const a = tensor([1, 2, 3]);
      return item(mean(mul(a, a)));
    });
    expect(value).toBeCloseTo(14 / 3, 5);
    await device.sync();
    expect(device.memoryStats().bytesLive).toBe(before);
  });

  it('views keep storage alive until the last handle is disposed', async () => {
    const a = tensor([1, 2, 3, 4], [2, 2]);
    const v = a.transpose();
    a.dispose();
    expect([...(await data(v))]).toEqual([1, 3, 2, 4]);
    v.dispose();
  });

  it('the pool never holds more than its cap', async () => {
    const device = await testDevice();
    const cap = device.pool.capBytes;
    device.pool.capBytes = 4096;
    device.pool.trim();
    try {
      scope(() => {
        for (let i = 0; i < 20; i++) zeros([1024]);
      });
      await device.sync();
      expect(device.memoryStats().bytesPooled).toBeLessThanOrEqual(4096);
    } finally {
      device.pool.capBytes = cap;
    }
  });

  it('peakBytesHeld counts pooled buffers, which peakBytesLive does not', async () => {
    const device = await testDevice();
    await device.sync();
    device.pool.trim();
    device.pool.resetPeak();
    const before = device.memoryStats();
    // 64 KiB freed into the pool, then 128 KiB of another size: the device held both at once.
    const small = zeros([16 * 1024]);
    small.dispose();
    await device.sync();
    const large = zeros([32 * 1024]);
    await device.sync();
    const after = device.memoryStats();
    large.dispose();
    // (a kernel's small parameter buffer rides along)
    expect(after.peakBytesLive - before.bytesLive).toBeLessThan((64 + 128) * 1024);
    expect(after.peakBytesHeld - before.bytesLive).toBeGreaterThanOrEqual((64 + 128) * 1024);
  });

  it('under a budget the pool frees cached buffers, and submits parked ones, to stay within it', async () => {
    const device = await testDevice();
    await device.sync();
    device.pool.trim();
    const base = device.memoryStats().bytesLive;
    const budget = base + 1024 * 1024;
    device.pool.budgetBytes = budget;
    device.pool.resetPeak();
    try {
      // Tensors of ever new sizes, each freed before the next (some still parked, unsubmitted):
      // an unbounded pool would keep them all, ~5 MiB in all.
      for (let k = 1; k <= 40; k++) zeros([16 * 1024 + 512 * k]).dispose();
      await device.sync();
      const stats = device.memoryStats();
      expect(stats.peakBytesHeld).toBeLessThanOrEqual(budget);
      expect(stats.bytesLive + stats.bytesPooled).toBeLessThanOrEqual(budget);
    } finally {
      device.pool.budgetBytes = undefined;
    }
  });
});
