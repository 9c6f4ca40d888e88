import type { Device } from '../device/device.js';

/** Invocations that share one row in the workgroup-per-row variant of row kernels. */
export const ROW_LANES = 64;

/**
 * Whether a row kernel should give each row a workgroup of {@link ROW_LANES} invocations that
 * combine partial results in workgroup memory, instead of one invocation per row.
 *
 * GPUs want many threads in flight, so they share any row long enough to amortise the barriers.
 * CPU adapters run a workgroup on one thread and gain nothing from workgroup memory: they share
 * long rows only when there are fewer rows than one 64-invocation workgroup, which would otherwise
 * leave every core but one idle (on SwiftShader, 128 rows of 4096 ran 2–3× slower shared).
 */
export function useWorkgroupPerRow(device: Device, rows: number, length: number): boolean {
  if (device.kernelVariant === 'tiled') return length >= 256;
  return rows < 64 && length >= 4096;
}

/**
 * WGSL that folds `array[0..ROW_LANES)` into `array[0]` with `combine`. Every lane of the
 * workgroup must reach it (it contains barriers); lane index `l`. Ends with a barrier, so
 * `array[0]` can be read right after.
 */
export function laneTreeWgsl(array: string, combine: (a: string, b: string) => string): string {
  return `workgroupBarrier();
  for (var s = ${ROW_LANES / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) { ${array}[l] = ${combine(`${array}[l]`, `${array}[l + s]`)}; }
    workgroupBarrier();
  }`;
}

/** The builtins of a workgroup-per-row `main`: row from the workgroup id, lane `l`. */
export const ROW_MAIN_ARGS =
  '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) l: u32';
