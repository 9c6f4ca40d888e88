/**
 * Training-step benchmark: forward + backward + AdamW step of
 *   1. a SwiGLU block (1024 tokens, d 128, hidden 352), and
 *   2. one LLaMA decoder layer of the same size (RMSNorm → grouped-query attention with 8 query
 *      heads on 4 kv heads, RoPE, causal → residual → RMSNorm → SwiGLU → residual), seq 256 × batch 4.
 *
 * Two passes per model: a timing pass (wall-clock ms per step, synced after each step), then a
 * separate pass on a second device created with `LLMS_DEBUG='llms:dispatch'`, which submits and
 * times every dispatch on its own; summing those times by kernel name gives the share of the step
 * spent in matmul. (Dispatch timing serialises the GPU, so only the shares are used from it.)
 *
 * Prints a table and writes bench-results/autograd.json at the repository root.
 * Usage: npm run bench -w @llm-streamline/autograd   (BENCH_STEPS=n to change the timed steps, default 3)
 */
import { existsSync, readdirSync } from 'node:fs';
import * as T from '@llm-streamline/tensor';
import { writeBenchResults } from '@llm-streamline/test-utils/bench-results';
import * as A from '../src/index.js';

/** SwiftShader on Linux machines without a GPU device node (as scripts/webgpu-env.mjs does for tests). */
function useSwiftShaderWhenNoGpu(): void {
  const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES) return;
  const gpuNode =
    existsSync('/dev/nvidia0') ||
    (existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD')));
  if (!gpuNode && existsSync(icd)) process.env.VK_ICD_FILENAMES = icd;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
}

const TOKENS = 1024;
const DIM = 128;
const HIDDEN = 352;
const BATCH = 4;
const SEQ = 256;
const HEADS = 8;
const KV_HEADS = 4;
const HEAD_DIM = DIM / HEADS;
const STEPS = Number(process.env.BENCH_STEPS ?? 3);

/** LLaMA self-attention with HF parameter names (no biases). */
class SelfAttention extends A.Module {
  readonly qProj: A.Linear;
  readonly kProj: A.Linear;
  readonly vProj: A.Linear;
  readonly oProj: A.Linear;

  constructor(
    device: T.Device,
    private readonly invFreq: T.Tensor,
  ) {
    super();
    this.qProj = this.registerModule(
      'q_proj',
      new A.Linear(DIM, HEADS * HEAD_DIM, { bias: false, device }),
    );
    this.kProj = this.registerModule(
      'k_proj',
      new A.Linear(DIM, KV_HEADS * HEAD_DIM, { bias: false, device }),
    );
    this.vProj = this.registerModule(
      'v_proj',
      new A.Linear(DIM, KV_HEADS * HEAD_DIM, { bias: false, device }),
    );
    this.oProj = this.registerModule(
      'o_proj',
      new A.Linear(HEADS * HEAD_DIM, DIM, { bias: false, device }),
    );
  }

  forward(x: A.Variable): A.Variable {
    const [b, t] = x.shape as [number, number, number];
    // [B, T, H·Dh] → [B, H, T, Dh] as a view; rope makes q and k contiguous, attention reads v through its strides.
    const heads = (y: A.Variable, h: number) =>
      A.permute(A.reshape(y, [b, t, h, HEAD_DIM]), [0, 2, 1, 3]);
    const q = A.rope(heads(this.qProj.forward(x), HEADS), this.invFreq, { layout: 'half' });
    const k = A.rope(heads(this.kProj.forward(x), KV_HEADS), this.invFreq, { layout: 'half' });
    const v = heads(this.vProj.forward(x), KV_HEADS);
    const o = A.attention(q, k, v, { causal: true });
    return this.oProj.forward(A.reshape(A.permute(o, [0, 2, 1, 3]), [b, t, DIM]));
  }
}

/** One pre-norm LLaMA decoder layer. */
class DecoderLayer extends A.Module {
  readonly inputNorm: A.RMSNorm;
  readonly selfAttn: SelfAttention;
  readonly postNorm: A.RMSNorm;
  readonly mlp: A.SwiGLU;

  constructor(device: T.Device, invFreq: T.Tensor) {
    super();
    this.inputNorm = this.registerModule('input_layernorm', new A.RMSNorm(DIM, 1e-5, { device }));
    this.selfAttn = this.registerModule('self_attn', new SelfAttention(device, invFreq));
    this.postNorm = this.registerModule(
      'post_attention_layernorm',
      new A.RMSNorm(DIM, 1e-5, { device }),
    );
    this.mlp = this.registerModule('mlp', new A.SwiGLU(DIM, HIDDEN, { device }));
  }

  forward(x: A.Variable): A.Variable {
    return T.scope(() => {
      const h = A.add(x, this.selfAttn.forward(this.inputNorm.forward(x)));
      return A.add(h, this.mlp.forward(this.postNorm.forward(h)));
    });
  }
}

interface Workload {
  name: string;
  shape: string;
  /** Builds the model and data on `device`; returns one training step and a clean-up. */
  setup(device: T.Device): { step: () => void; dispose: () => void };
}

/** A training step: loss = MSE to a fixed random target, backward, AdamW. */
function trainer(
  model: A.Module & { forward(x: A.Variable): A.Variable },
  shape: number[],
  device: T.Device,
) {
  const x = A.variable(T.keep(T.randNormal(shape, 0, 1, { seed: 1, device })));
  const y = A.variable(T.keep(T.randNormal(shape, 0, 1, { seed: 2, device })));
  const opt = new A.AdamW(model.parameters(), { lr: 1e-3 });
  return {
    step: () => {
      T.scope(() => A.mseLoss(model.forward(x), y).backward());
      opt.step();
      opt.zeroGrad();
    },
    dispose: () => {
      for (const v of [x, y]) v.dispose();
      opt.dispose();
      model.dispose();
    },
  };
}

const WORKLOADS: Workload[] = [
  {
    name: 'SwiGLU block',
    shape: `tokens ${TOKENS}, d ${DIM}, hidden ${HIDDEN}`,
    setup: (device) =>
      trainer(new A.SwiGLU(DIM, HIDDEN, { seed: 3, device }), [TOKENS, DIM], device),
  },
  {
    name: 'LLaMA decoder layer',
    shape: `batch ${BATCH} × seq ${SEQ}, d ${DIM}, ${HEADS} heads / ${KV_HEADS} kv, hidden ${HIDDEN}`,
    setup: (device) => {
      const invFreq = T.keep(
        T.tensor(T.ropeInvFreq(HEAD_DIM, 10000), [HEAD_DIM / 2], 'f32', device),
      );
      const t = trainer(new DecoderLayer(device, invFreq), [BATCH, SEQ, DIM], device);
      return {
        step: t.step,
        dispose: () => {
          t.dispose();
          invFreq.dispose();
        },
      };
    },
  },
];

async function timeSteps(
  device: T.Device,
  w: Workload,
): Promise<{ msPerStep: number; stepsMs: number[] }> {
  T.setCurrentDevice(device);
  const run = w.setup(device);
  run.step(); // warm-up: pipelines, optimiser state, pool
  await device.sync();
  const stepsMs: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    run.step();
    await device.sync();
    stepsMs.push(performance.now() - t0);
  }
  run.dispose();
  const sorted = [...stepsMs].sort((a, b) => a - b);
  return { msPerStep: sorted[sorted.length >> 1] as number, stepsMs };
}

/** Runs one step with per-dispatch timing and sums the logged times by kernel name. */
async function kernelTimes(device: T.Device, w: Workload): Promise<Map<string, number>> {
  T.setCurrentDevice(device);
  const byName = new Map<string, number>();
  let measuring = false;
  const log = console.log;
  // The device logs each dispatch when the GPU reports it done; keep only the measured step's.
  console.log = (...args: unknown[]) => {
    const m = /^\[llms:dispatch\] (\S+) wg=\S+ ([\d.]+) ms$/.exec(String(args[0]));
    if (!m) log(...args);
    else if (measuring)
      byName.set(m[1] as string, (byName.get(m[1] as string) ?? 0) + Number(m[2]));
  };
  try {
    const run = w.setup(device);
    run.step(); // compile first, so compile time is not charged to kernels
    await device.sync();
    measuring = true;
    run.step();
    await device.sync();
    await new Promise((r) => setTimeout(r, 50)); // let the last completion callbacks log
    measuring = false;
    run.dispose();
    await device.sync();
  } finally {
    console.log = log;
  }
  return byName;
}

useSwiftShaderWhenNoGpu();
const device = await T.getDevice();
const results = [];
for (const w of WORKLOADS) {
  const timing = await timeSteps(device, w);
  results.push({ workload: w, ...timing });
}

// Dispatch timing is read from the debug flags when a device is created: a second device, only for this pass.
(globalThis as { LLMS_DEBUG?: string }).LLMS_DEBUG = 'llms:dispatch';
const debugDevice = await T.Device.create();
delete (globalThis as { LLMS_DEBUG?: string }).LLMS_DEBUG;
const rows = [];
for (const r of results) {
  const kernels = await kernelTimes(debugDevice, r.workload);
  const total = [...kernels.values()].reduce((a, b) => a + b, 0);
  const matmul = [...kernels]
    .filter(([name]) => name.startsWith('matmul'))
    .reduce((a, [, ms]) => a + ms, 0);
  const top = [...kernels].sort((a, b) => b[1] - a[1]).slice(0, 8);
  rows.push({
    name: r.workload.name,
    shape: r.workload.shape,
    msPerStep: r.msPerStep,
    stepsMs: r.stepsMs,
    matmulShare: total > 0 ? matmul / total : 0,
    dispatchTimedTotalMs: total,
    topKernels: Object.fromEntries(top.map(([name, ms]) => [name, Number(ms.toFixed(2))])),
  });
}
debugDevice.destroy();

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `\nautograd training step — ${device.adapter.description} (${device.kernelVariant} kernels), median of ${STEPS} steps\n`,
);
console.log(
  `${'workload'.padEnd(22)}${'shape'.padEnd(58)}${'ms/step'.padStart(10)}${'matmul'.padStart(9)}`,
);
for (const r of rows)
  console.log(
    `${r.name.padEnd(22)}${r.shape.padEnd(58)}${r.msPerStep.toFixed(1).padStart(10)}${pct(r.matmulShare).padStart(9)}`,
  );
for (const r of rows)
  console.log(
    `\n${r.name}, slowest kernels (ms, dispatch-timed pass): ${JSON.stringify(r.topKernels)}`,
  );

const out = writeBenchResults(
  'autograd.json',
  `${device.adapter.description} (${device.kernelVariant} kernels, via ${device.source})`,
  {
    timing:
      'median wall-clock ms of forward + backward + AdamW step, synced after each step; matmulShare from a separate pass timing each dispatch (LLMS_DEBUG=llms:dispatch)',
    steps: STEPS,
    rows,
  },
);
console.log(`\nwrote ${out}`);
