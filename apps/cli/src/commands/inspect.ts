/**
 * `inspect MODEL`: what a checkpoint holds, read from its headers only (no GPU, no weights read):
 * architecture, parameter counts per part and per layer, dtypes, file sizes, and an estimate of
 * the memory a run needs, and the device memory a prune needs against the adapter's limits. What is
 * reported is gathered in inspect/inspection.ts; this file formats it.
 */

import { formatByteSize, type MemoryPlanRecord, type TensorSize } from '@llm-streamline/llm';
import { STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';
import { NoAdapterError } from '@llm-streamline/tensor';
import { MODEL_FLAGS, modelFlagValues } from '../args/model-flags.js';
import type { CommandSpec, FlagSpec } from '../args/spec.js';
import { intFlag } from '../args/values.js';
import { deviceMemoryBudget } from '../device.js';
import { resolveModelArg } from '../hub/model-arg.js';
import { type Inspection, inspectModel } from '../inspect/inspection.js';
import type { CliIo } from '../io.js';
import { asLoadError } from '../model-input.js';
import { formatBytes, formatCount } from '../output/format.js';
import { formatTable } from '../output/table.js';
import { type Command, start } from './command.js';

export const spec: CommandSpec = {
  name: 'inspect',
  summary: 'architecture, parameter counts per part, dtypes, file sizes and a memory estimate',
  description:
    'Reads only the headers of the checkpoint (no GPU needed). Parameters are counted from the ' +
    'stored tensors, so a tied output head counts zero. The device memory a prune needs (weights, ' +
    "one batch's activations, the ffn replacement's training state) is checked against the WebGPU " +
    "adapter's buffer limits when there is an adapter.",
  positionals: [
    {
      name: 'MODEL',
      optional: true,
      description: 'model to inspect (default: bundled tinystories-12L)',
    },
  ],
  flags: {
    'per-layer': { type: 'boolean', description: 'print the parameter table of every layer' },
    batch: {
      type: 'string',
      value: 'N',
      description: 'sequences per batch in the device-memory estimate',
      default: String(STREAMLINE_DEFAULTS.batchSize),
    },
    'block-length': {
      type: 'string',
      value: 'N',
      description: 'tokens per sequence in the device-memory estimate',
      default: String(STREAMLINE_DEFAULTS.blockLength),
    },
    'weights-dtype': MODEL_FLAGS['weights-dtype'] as FlagSpec,
    'device-memory': MODEL_FLAGS['device-memory'] as FlagSpec,
  },
  examples: [
    { what: 'the bundled model', command: 'llm-streamline inspect' },
    {
      what: 'a llama2.c checkpoint, every layer, as JSON',
      command: 'llm-streamline inspect stories260K.bin --per-layer --json',
    },
    {
      what: 'whether a model fits 256 MiB, or which of its parts would stream',
      command: 'llm-streamline inspect model-folder --device-memory 256MiB',
    },
  ],
};

export const run: Command['run'] = async (argv, io: CliIo) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const batchSize = intFlag(args.values, 'batch', { min: 1 });
  const blockLength = intFlag(args.values, 'block-length', { min: 1 });
  const { weightsDtype, deviceMemory: memoryFlag } = modelFlagValues(args.values);
  const path = await resolveModelArg(args.positionals[0], io, reporter);
  // inspect needs no adapter: without one, only an explicit budget is planned for.
  const deviceMemory = await deviceMemoryBudget(memoryFlag).catch((e: unknown) => {
    if (e instanceof NoAdapterError) return memoryFlag;
    throw e;
  });
  let result: Inspection;
  try {
    result = await inspectModel(path, {
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(blockLength !== undefined ? { blockLength } : {}),
      ...(weightsDtype !== undefined ? { weightsDtype } : {}),
      ...(deviceMemory !== undefined ? { deviceMemory } : {}),
    });
  } catch (e) {
    throw asLoadError(path, e);
  }
  reporter.result(
    { command: 'inspect', ...result },
    describe(result, args.values['per-layer'] === true),
  );
  return { ...result };
};

function describe(r: Inspection, perLayer: boolean): string {
  const a = r.architecture;
  const p = r.parameters;
  const pct = (n: number) => `${((100 * n) / p.total).toFixed(1)}%`;
  const lines = [
    `${r.model} (${r.format})`,
    '',
    `architecture  LLaMA, ${a.layers} layers, hidden ${a.hiddenSize}, intermediate ${a.intermediateSize}`,
    `attention     ${a.heads} heads, ${a.kvHeads} KV heads, head dim ${a.headDim}`,
    `vocabulary    ${a.vocabSize}, context ${a.maxPositionEmbeddings}, RoPE θ ${a.ropeTheta}${a.ropeScaling ? ` (${a.ropeScaling})` : ''}, RMSNorm ε ${a.rmsNormEps}`,
    `embeddings    ${a.tiedEmbeddings ? 'tied (the output head reuses the token embedding)' : 'separate output head'}`,
    '',
    formatTable(
      ['part', 'parameters', 'share'],
      [
        ['embedding', String(p.embedding), pct(p.embedding)],
        ['attention', String(p.attention), pct(p.attention)],
        ['MLP', String(p.mlp), pct(p.mlp)],
        ['norms', String(p.norms), pct(p.norms)],
        ['output head', a.tiedEmbeddings ? '0 (tied)' : String(p.head), pct(p.head)],
        ['total', `${p.total} (${formatCount(p.total)})`, '100%'],
      ],
      ['left', 'right', 'right'],
    ),
  ];
  const first = p.perLayer[0];
  if (first && !perLayer)
    lines.push(
      '',
      `per layer     ${first.total} (attention ${first.attention}, MLP ${first.mlp}, norms ${first.norms})` +
        `${p.perLayer.every((l) => l.total === first.total) ? ', the same in every layer' : ''}; --per-layer lists them`,
    );
  if (perLayer)
    lines.push(
      '',
      formatTable(
        ['layer', 'attention', 'MLP', 'norms', 'total'],
        p.perLayer.map((l) => [l.layer, l.attention, l.mlp, l.norms, l.total].map(String)),
        ['right', 'right', 'right', 'right', 'right'],
      ),
    );
  lines.push(
    '',
    `dtypes        ${Object.entries(r.dtypes)
      .map(([d, n]) => `${d} (${n} tensors)`)
      .join(', ')}`,
    `files         ${formatBytes(r.totalFileBytes)} in all`,
    ...r.files.map((f) => `  ${f.name.padEnd(32)} ${formatBytes(f.bytes).padStart(10)}`),
    '',
    `memory        ~${formatBytes(r.memory.totalBytes)}: weights ${formatBytes(r.memory.weightsBytes)}, KV cache ${formatBytes(r.memory.kvCacheBytes)}, activations ${formatBytes(r.memory.activationBytes)}`,
    `  assuming ${r.memory.assumptions}`,
    '',
    ...describeDeviceMemory(r.deviceMemory),
    ...(r.memoryPlan ? ['', describeMemoryPlan(r.memoryPlan)] : []),
  );
  return lines.join('\n');
}

/** One line: how a load under the budget goes, and what it needs at least. */
export function describeMemoryPlan(p: MemoryPlanRecord): string {
  const budget = `memory plan   budget ${formatByteSize(p.budgetBytes)}`;
  if (p.mode === 'resident')
    return `${budget}: resident (${formatByteSize(p.weightsBytes)} of weights and the working set fit)`;
  return (
    `${budget}: streamed — ${formatByteSize(p.residentBytes)} resident, ${formatByteSize(p.streamedBytes)} read from the checkpoint one layer at a time ` +
    `(largest ${formatByteSize(p.largestLayerBytes)}; ${p.prefetch ? 'the next layer uploads during compute' : 'no room to prefetch the next layer'}); ` +
    `streaming needs at least ${formatByteSize(p.minimumBytes)}`
  );
}

function describeDeviceMemory(m: Inspection['deviceMemory']): string[] {
  const row = (label: string, text: string) => `  ${label.padEnd(20)}${text}`;
  const amount = (bytes: number, note: string) => `${formatBytes(bytes).padStart(10)}  (${note})`;
  const size = (t: TensorSize) => `${t.name} [${t.shape.join(', ')}] ${formatBytes(t.bytes)}`;
  const lines = [
    `device memory ~${formatBytes(m.pruneBytes)} to prune with batches of ${m.batchSize} × ${m.blockLength} tokens:`,
    row('weights', amount(m.weightsBytes, `${m.weightsDtype} on the device`)),
    row('activations', amount(m.activationBytes, 'one batch, f32')),
    row(
      `replacement (${m.replacement.kind})`,
      amount(
        m.replacement.trainingBytes,
        `${formatCount(m.replacement.parameters)} parameters + gradients + AdamW moments, f32`,
      ),
    ),
    row('largest weight', size(m.largestWeight)),
    row('largest activation', size(m.largestActivation)),
  ];
  const fit = m.fit;
  if ('unavailable' in fit) return [...lines, row('adapter', fit.unavailable)];
  const a = fit.adapter;
  return [
    ...lines,
    row(
      'adapter',
      `${a.description}${a.isCpu ? ' (CPU)' : ''}: maxStorageBufferBindingSize ${formatBytes(a.maxStorageBufferBindingSize)}, maxBufferSize ${formatBytes(a.maxBufferSize)}`,
    ),
    fit.largestTensorFits
      ? row('fits', 'every tensor fits one buffer binding')
      : row(
          'does not fit',
          `${fit.tooLarge.map((t) => `${t.name} (${formatBytes(t.bytes)})`).join(', ')} larger than one buffer binding`,
        ),
    row('total memory', fit.totalMemory),
  ];
}

export const inspect: Command = { spec, run };
