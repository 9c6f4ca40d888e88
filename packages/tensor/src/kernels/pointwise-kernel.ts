import type { Device } from '../device/device.js';
import type { DType } from '../tensor/dtype.js';
import { expandLayout, type Layout } from '../tensor/layout.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { coalesceDims } from './coalesce.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';

const WG = 256;

/** What a pointwise kernel computes: `expr` over inputs named a, b, c… in compute type `$T`. */
export interface PointwiseProgram {
  name: string;
  /** WGSL expression; `a`, `b`, `c` are the inputs converted to the compute type, `$T` names that type. */
  expr: string;
  /** Extra WGSL functions the expression calls. */
  helpers?: string;
  computeType: DType;
  outType: DType;
}

/**
 * Runs an elementwise expression over inputs broadcast to `shape`, reading each input through its
 * own strides (so views need no copy), and writes a fresh contiguous output.
 *
 * The generated source depends only on the rank after {@link coalesceDims}, the dtypes and which
 * inputs are dense, so one pipeline serves every shape of that kind; sizes travel in `params`.
 */
export function runPointwise(
  device: Device,
  program: PointwiseProgram,
  inputs: readonly Tensor[],
  shape: readonly number[],
  into?: Tensor,
): Tensor {
  const n = sizeOf(shape);
  const out = into?.view(into.layout) ?? Tensor.empty(device, shape, program.outType);
  if (n === 0) return out;
  // Operand 0 is the output (dense unless writing into a view), then the inputs.
  const layouts: Layout[] = [out.layout, ...inputs.map((t) => expandLayout(t.layout, shape))];
  const merged = coalesceDims(
    shape,
    layouts.map((l) => l.strides),
  );
  const rank = merged.shape.length;
  const dense = layouts.map((_, k) => rank <= 1 && (merged.strides[k]?.[0] ?? 1) === 1);
  const params = [n, ...merged.shape];
  for (const [k, l] of layouts.entries()) params.push(l.offset, ...(merged.strides[k] as number[]));
  const dtypes = inputs.map((t) => t.dtype);
  const vec4 = vec4Modes(layouts, merged.strides, rank, n);
  device.run({
    name: program.name,
    source: vec4
      ? pointwiseVec4Source(program, dtypes, vec4)
      : pointwiseSource(program, dtypes, rank, dense),
    params,
    buffers: [...inputs.map((t) => t.buffer), out.buffer],
    workgroups: workgroups1d(vec4 ? n / 4 : n, WG),
  });
  return out;
}

/**
 * When every operand is either dense and 16-byte aligned or a single broadcast value, the kernel
 * moves four elements per invocation with vec4 loads and stores: on CPU adapters each storage
 * access is a gather across lanes, so a vec4 access costs about what a scalar one does.
 * Returns each input's mode, or undefined when the scalar kernel must be used.
 */
function vec4Modes(
  layouts: readonly Layout[],
  strides: readonly (readonly number[])[],
  rank: number,
  n: number,
): ('dense' | 'scalar')[] | undefined {
  if (rank > 1 || n % 4 !== 0) return undefined;
  const modes = layouts.map((l, k) => {
    const stride = rank === 0 ? 0 : (strides[k]?.[0] as number);
    if (stride === 1 && l.offset % 4 === 0) return 'dense' as const;
    return stride === 0 ? ('scalar' as const) : undefined;
  });
  if (modes[0] !== 'dense' || modes.some((m) => m === undefined)) return undefined;
  return modes.slice(1) as ('dense' | 'scalar')[];
}

function pointwiseVec4Source(
  program: PointwiseProgram,
  dtypes: readonly DType[],
  modes: readonly ('dense' | 'scalar')[],
): string {
  const T = program.computeType;
  const names = ['a', 'b', 'c', 'd'];
  const rank = 1; // params layout: [n, size, then per operand: offset, stride]
  const base = (k: number) => 1 + rank + k * (1 + rank);
  const decls = dtypes.map(
    (dt, k) => `@group(0) @binding(${k + 1}) var<storage, read> x${k}: array<vec4<${dt}>>;`,
  );
  const loads = modes
    .map((mode, k) =>
      mode === 'dense'
        ? `let v${k} = x${k}[p[${base(k + 1)}u] / 4u + i];`
        : `let s${k} = x${k}[p[${base(k + 1)}u] / 4u][p[${base(k + 1)}u] % 4u];`,
    )
    .join('\n  ');
  const lanes = [0, 1, 2, 3]
    .map((c) => {
      const args = modes
        .map((mode, k) => `let ${names[k]} = ${T}(${mode === 'dense' ? `v${k}[${c}]` : `s${k}`});`)
        .join(' ');
      return `{ ${args} r[${c}] = ${program.outType}(${program.expr.replaceAll('$T', T)}); }`;
    })
    .join('\n  ');
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
${decls.join('\n')}
@group(0) @binding(${dtypes.length + 1}) var<storage, read_write> y: array<vec4<${program.outType}>>;
${(program.helpers ?? '').replaceAll('$T', T)}
@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  if (i * 4u >= p[0]) { return; }
  ${loads}
  var r: vec4<${program.outType}>;
  ${lanes}
  y[p[${base(0)}u] / 4u + i] = r;
}
`;
}

function pointwiseSource(
  program: PointwiseProgram,
  dtypes: readonly DType[],
  rank: number,
  dense: readonly boolean[],
): string {
  const T = program.computeType;
  const names = ['a', 'b', 'c', 'd'];
  const decls = dtypes.map(
    (dt, k) => `@group(0) @binding(${k + 1}) var<storage, read> x${k}: array<${dt}>;`,
  );
  // Param words: [n, shape[rank], then per operand (output first): offset, strides[rank]].
  // Operand k's offset variable is o{k}; o0 is the output.
  const base = (k: number) => 1 + rank + k * (1 + rank);
  const offsets = dense.map((_, k) => `var o${k} = p[${base(k)}u];`).join('\n  ');
  const walk = dense.map((d, k) => (d ? '' : `o${k} += c * p[${base(k) + 1}u + d];`)).join(' ');
  const at = (k: number) => (dense[k] ? `o${k} + i` : `o${k}`);
  const loads = dtypes.map((_, k) => `let ${names[k]} = ${T}(x${k}[${at(k + 1)}]);`).join('\n  ');
  const strided =
    dense.every((x) => x) || rank === 0
      ? ''
      : `var rem = i;
  for (var k = ${rank}u; k > 0u; k--) {
    let d = k - 1u;
    let size = p[1u + d];
    let c = rem % size;
    rem = rem / size;
    ${walk}
  }`;
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
${decls.join('\n')}
@group(0) @binding(${dtypes.length + 1}) var<storage, read_write> y: array<${program.outType}>;
${(program.helpers ?? '').replaceAll('$T', T)}
@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p[0]) { return; }
  ${offsets}
  ${strided}
  ${loads}
  y[${at(0)}] = ${program.outType}(${program.expr.replaceAll('$T', T)});
}
`;
}
