import type { Device } from '../device/device.js';
import { bytesPerElement, type DType } from '../tensor/dtype.js';
import { expandLayout, type Layout } from '../tensor/layout.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { coalesceDims } from './coalesce.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';

const WG = 64;

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
  const out =
    into?.view(into.layout) ??
    Tensor.fromBuffer(device, device.pool.acquire(Math.max(4, n * bytesPerElement(program.outType))), shape, program.outType);
  if (n === 0) return out;
  // Operand 0 is the output (dense unless writing into a view), then the inputs.
  const layouts: Layout[] = [out.layout, ...inputs.map((t) => expandLayout(t.layout, shape))];
  const merged = coalesceDims(shape, layouts.map((l) => l.strides));
  const rank = merged.shape.length;
  const dense = layouts.map((_, k) => rank <= 1 && (merged.strides[k]?.[0] ?? 1) === 1);
  const params = [n, ...merged.shape];
  layouts.forEach((l, k) => params.push(l.offset, ...(merged.strides[k] as number[])));
  device.run({
    name: program.name,
    source: pointwiseSource(program, inputs.map((t) => t.dtype), rank, dense),
    params,
    buffers: [...inputs.map((t) => t.buffer), out.buffer],
    workgroups: workgroups1d(n, WG),
  });
  return out;
}

function pointwiseSource(program: PointwiseProgram, dtypes: readonly DType[], rank: number, dense: readonly boolean[]): string {
  const T = program.computeType;
  const names = ['a', 'b', 'c', 'd'];
  const usesF16 = dtypes.includes('f16') || program.outType === 'f16';
  const decls = dtypes.map((dt, k) => `@group(0) @binding(${k + 1}) var<storage, read> x${k}: array<${dt}>;`);
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
  return `${usesF16 ? 'enable f16;\n' : ''}@group(0) @binding(0) var<storage, read> p: array<u32>;
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
