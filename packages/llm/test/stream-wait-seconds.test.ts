/**
 * `waitSeconds` counts only the time the device sat idle for an upload: while the device is still
 * computing the work submitted before the wait, the host waiting for the next layer costs nothing
 * (that is the overlap the stream is for). Timed on a fake clock, so the figures are exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmbeddingRows } from '../src/stream/weight-stream.js';
import { WeightStream } from '../src/stream/weight-stream.js';

/** A stream that is only waited on: nothing is registered, read or uploaded. */
function idleStream(): WeightStream {
  return new WeightStream(
    () => Promise.reject(new Error('no upload expected')),
    {} as EmbeddingRows,
    'f32',
    async () => {},
  );
}

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('WeightStream.waitFor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['no device work given: the whole wait', undefined, 1],
    ['the device busy for 0.4 s of a 1 s wait: 0.6 s', 400, 0.6],
    ['the device busy past the upload: nothing', 1500, 0],
    ['the device already idle: the whole wait', 0, 1],
  ])('%s', async (_, busyMs, expectedSeconds) => {
    const stream = idleStream();
    const deviceWork = busyMs === undefined ? undefined : after(busyMs);
    const waiting = stream.waitFor(after(1000), deviceWork);
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(stream.stats.waitSeconds).toBeCloseTo(expectedSeconds, 6);
  });

  it('counts the whole wait when the device failed', async () => {
    const stream = idleStream();
    const waiting = stream.waitFor(after(1000), Promise.reject(new Error('device lost')));
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(stream.stats.waitSeconds).toBeCloseTo(1, 6);
  });
});
