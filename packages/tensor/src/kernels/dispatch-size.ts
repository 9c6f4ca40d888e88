/** Workgroup counts for a 1-D problem, folded into y when x would exceed the per-dimension limit. */
export function workgroups1d(invocations: number, workgroupSize: number): [number, number, number] {
  const groups = Math.ceil(invocations / workgroupSize);
  if (groups <= 65535) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** WGSL that computes a flat invocation index `i` matching {@link workgroups1d}. */
export function flatIndex(workgroupSize: number): string {
  return `let i = gid.x + gid.y * nwg.x * ${workgroupSize}u;`;
}

/** The builtins every 1-D kernel's `main` takes. */
export const MAIN_ARGS =
  '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>';
