import * as T from '@llm-streamline/tensor';

/**
 * One fused elementwise kernel per parameter update: an optimiser's whole rule (decay, moments,
 * bias correction, step) in a single dispatch instead of a chain of pointwise ops, each of which
 * would read and write the full parameter again.
 */
export interface UpdateProgram {
  /** Kernel name (shown in dispatch timings). */
  name: string;
  /** Names of the f32 scalars the body reads (their values are passed per call). */
  scalars: readonly string[];
  /** Names of the optimiser's state tensors, updated in place (`name[i]` reads and writes element i). */
  state: readonly string[];
  /**
   * WGSL statements computing `next` (the new parameter value) from `param`, `grad`, the scalars
   * and the state arrays, at flat index `i`.
   */
  body: string;
}

const WG = 64;

/**
 * Runs `program` over a parameter and its gradient (both f32, any layout; made dense if needed)
 * and returns the new parameter value as a fresh tensor. State tensors must be dense f32 tensors
 * of the parameter's size owned by the optimiser: they are written in place, which is safe only
 * because nothing else holds them.
 */
export function runUpdate(
  program: UpdateProgram,
  param: T.Tensor,
  grad: T.Tensor,
  state: readonly T.Tensor[],
  scalars: readonly number[],
): T.Tensor {
  if (param.dtype !== 'f32' || grad.dtype !== 'f32') {
    throw new TypeError(
      `${program.name}: parameters and gradients must be f32, got ${param.toString()} and ${grad.toString()}`,
    );
  }
  if (grad.size !== param.size)
    throw new RangeError(
      `${program.name}: gradient ${T.formatShape(grad.shape)} does not match parameter ${T.formatShape(param.shape)}`,
    );
  const device = param.device;
  const p = T.contiguous(param);
  const g = T.contiguous(grad);
  const n = param.size;
  const out = T.Tensor.fromBuffer(
    device,
    device.pool.acquire(Math.max(4, n * 4), undefined, {
      shape: param.shape,
      dtype: 'f32',
      op: program.name,
    }),
    param.shape,
    'f32',
  );
  try {
    if (n === 0) return out;
    const groups = Math.ceil(n / WG);
    // Fold into y past the per-dimension limit, as the tensor package's kernels do.
    const gy = groups <= 65535 ? 1 : Math.ceil(groups / 65535);
    device.run({
      name: program.name,
      source: updateSource(program),
      params: [
        n,
        p.offset,
        g.offset,
        ...state.map((s) => s.offset),
        ...scalars.map((x) => T.f32Bits(x)),
      ],
      buffers: [p.buffer, g.buffer, ...state.map((s) => s.buffer), out.buffer],
      workgroups: [Math.ceil(groups / gy), gy, 1],
    });
    return out;
  } finally {
    p.dispose();
    g.dispose();
  }
}

const sources = new Map<string, string>();

function updateSource(program: UpdateProgram): string {
  const cached = sources.get(program.name);
  if (cached) return cached;
  const k = program.state.length;
  const stateDecls = program.state.map(
    (s, j) => `@group(0) @binding(${3 + j}) var<storage, read_write> ${s}_: array<f32>;`,
  );
  // State arrays are read and written at their own offset; a small accessor keeps the body readable.
  const stateOffsets = program.state.map((s, j) => `let ${s}_at = u[${3 + j}u] + i;`);
  const scalarLets = program.scalars.map((s, j) => `let ${s} = bitcast<f32>(u[${3 + k + j}u]);`);
  let body = program.body;
  for (const s of program.state) body = body.replaceAll(`${s}[i]`, `${s}_[${s}_at]`);
  const source = `@group(0) @binding(0) var<storage, read> u: array<u32>;
@group(0) @binding(1) var<storage, read> param_: array<f32>;
@group(0) @binding(2) var<storage, read> grad_: array<f32>;
${stateDecls.join('\n')}
@group(0) @binding(${3 + k}) var<storage, read_write> next_: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= u[0]) { return; }
  let param = param_[u[1] + i];
  let grad = grad_[u[2] + i];
  ${stateOffsets.join('\n  ')}
  ${scalarLets.join('\n  ')}
  var next: f32;
  ${body}
  next_[i] = next;
}
`;
  sources.set(program.name, source);
  return source;
}
