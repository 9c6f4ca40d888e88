/**
 * `inspect MODEL`: what a checkpoint holds, read from its headers only (no GPU, no weights read):
 * architecture, parameter counts per part and per layer, dtypes, file sizes, and an estimate of
 * the memory a run needs. What is reported is gathered in inspect/inspection.ts; this file formats
 * it.
 */
import type { CommandSpec } from '../args/spec.js';
import { type Inspection, inspectModel } from '../inspect/inspection.js';
import type { CliIo } from '../io.js';
import { asLoadError, assertModelExists, modelPath } from '../model-input.js';
import { formatBytes, formatCount } from '../output/format.js';
import { formatTable } from '../output/table.js';
import { type Command, start } from './command.js';

export const spec: CommandSpec = {
  name: 'inspect',
  summary: 'architecture, parameter counts per part, dtypes, file sizes and a memory estimate',
  description:
    'Reads only the headers of the checkpoint (no GPU needed). Parameters are counted from the ' +
    'stored tensors, so a tied output head counts zero.',
  positionals: [
    {
      name: 'MODEL',
      optional: true,
      description: 'model to inspect (default: bundled tinystories-12L)',
    },
  ],
  flags: {
    'per-layer': { type: 'boolean', description: 'print the parameter table of every layer' },
  },
  examples: [
    { what: 'the bundled model', command: 'llm-streamline inspect' },
    {
      what: 'a llama2.c checkpoint, every layer, as JSON',
      command: 'llm-streamline inspect stories260K.bin --per-layer --json',
    },
  ],
};

export const run: Command['run'] = async (argv, io: CliIo) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const path = modelPath(args.positionals[0], io.cwd);
  await assertModelExists(path);
  let result: Inspection;
  try {
    result = await inspectModel(path);
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
  );
  return lines.join('\n');
}

export const inspect: Command = { spec, run };
