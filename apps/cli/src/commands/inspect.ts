/**
 * `inspect MODEL`: what a checkpoint holds, read from its headers only (no GPU, no weights read):
 * architecture, parameter counts per part and per layer, dtypes, file sizes, and an estimate of
 * the memory a run needs.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ByteSource,
  closeCheckpoint,
  type LlamaConfig,
  llamaConfigFromGguf,
  llamaConfigFromLlama2c,
  openSafetensorsCheckpoint,
  parseGguf,
  parseHfConfig,
  parseLlama2cCheckpoint,
  readJsonFile,
  type TensorRecord,
} from '@llm-streamline/llm';
import { nodeModelDirectory, openFileByteSource } from '@llm-streamline/llm/node';
import { STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';
import type { CommandSpec } from '../args/spec.js';
import { CliError } from '../errors.js';
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

/** Parameter counts of one layer, by part. */
export interface LayerParameters {
  layer: number;
  attention: number;
  mlp: number;
  norms: number;
  total: number;
}

/** Everything `inspect` reports (the `--json` result, less `type`). */
export interface Inspection {
  model: string;
  format: 'huggingface' | 'llama2c' | 'gguf';
  architecture: {
    type: 'llama';
    layers: number;
    hiddenSize: number;
    intermediateSize: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    vocabSize: number;
    maxPositionEmbeddings: number;
    ropeTheta: number;
    ropeScaling: string | null;
    rmsNormEps: number;
    tiedEmbeddings: boolean;
  };
  parameters: {
    embedding: number;
    attention: number;
    mlp: number;
    norms: number;
    head: number;
    total: number;
    perLayer: LayerParameters[];
  };
  /** Tensors per stored dtype (weights only). */
  dtypes: Record<string, number>;
  files: { name: string; bytes: number }[];
  totalFileBytes: number;
  memory: {
    weightsBytes: number;
    kvCacheBytes: number;
    activationBytes: number;
    totalBytes: number;
    assumptions: string;
  };
}

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

/** Reads the config and tensor headers of `path` and counts everything. */
export async function inspectModel(path: string): Promise<Inspection> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const dir = nodeModelDirectory(path);
    const json = await readJsonFile(dir, 'config.json');
    if (json === undefined)
      throw new CliError(
        `${path}: config.json not found`,
        'a Hugging Face model folder holds config.json and model.safetensors',
      );
    const config = parseHfConfig(json, `${path}/config.json`);
    const checkpoint = await openSafetensorsCheckpoint(dir);
    try {
      const names = await readdir(path);
      const files = await Promise.all(
        names.sort().map(async (name) => ({ name, bytes: (await stat(join(path, name))).size })),
      );
      return summarise(path, 'huggingface', config, [...checkpoint.tensors.values()], files);
    } finally {
      await closeCheckpoint(checkpoint);
    }
  }
  const source: ByteSource = await openFileByteSource(path, path);
  try {
    const files = [{ name: path, bytes: source.size }];
    const magic = new TextDecoder().decode(await source.read(0, Math.min(4, source.size)));
    if (magic === 'GGUF') {
      const gguf = await parseGguf(source);
      return summarise(path, 'gguf', llamaConfigFromGguf(gguf), [...gguf.tensors.values()], files);
    }
    if (!path.endsWith('.bin'))
      throw new CliError(
        `${path}: not a model`,
        'MODEL must be a Hugging Face model folder, a .gguf file or a llama2.c .bin',
      );
    const checkpoint = await parseLlama2cCheckpoint(source);
    const config = llamaConfigFromLlama2c(checkpoint.header, path);
    return summarise(path, 'llama2c', config, [...checkpoint.tensors.values()], files);
  } finally {
    await source.close?.();
  }
}

type Part = 'embedding' | 'head' | 'norms' | 'attention' | 'mlp';

/**
 * The part a stored tensor belongs to, from its name in any of the three formats (HF, GGUF,
 * llama2.c), with its layer; undefined for tables that are not weights (llama2.c freq_cis, GGUF
 * rope_freqs).
 */
export function classifyTensor(name: string): { part: Part; layer?: number } | undefined {
  if (/^(model\.embed_tokens\.weight|token_embd\.weight|token_embedding_table)$/.test(name))
    return { part: 'embedding' };
  if (/^(lm_head\.weight|output\.weight|wcls)$/.test(name)) return { part: 'head' };
  if (/^(model\.norm\.weight|output_norm\.weight|rms_final_weight)$/.test(name))
    return { part: 'norms' };
  const hf =
    /^model\.layers\.(\d+)\.(self_attn|mlp|input_layernorm|post_attention_layernorm)\./.exec(name);
  if (hf) {
    const kind = hf[2] as string;
    return {
      part: kind === 'self_attn' ? 'attention' : kind === 'mlp' ? 'mlp' : 'norms',
      layer: Number(hf[1]),
    };
  }
  const gguf = /^blk\.(\d+)\.([a-z_]+)\./.exec(name);
  if (gguf) {
    const kind = gguf[2] as string;
    const part = kind.endsWith('_norm') ? 'norms' : kind.startsWith('attn') ? 'attention' : 'mlp';
    return { part, layer: Number(gguf[1]) };
  }
  const l2c = /^(rms_att_weight|rms_ffn_weight|wq|wk|wv|wo|w1|w2|w3)\.(\d+)$/.exec(name);
  if (l2c) {
    const kind = l2c[1] as string;
    const part = kind.startsWith('rms') ? 'norms' : /^w[qkvo]$/.test(kind) ? 'attention' : 'mlp';
    return { part, layer: Number(l2c[2]) };
  }
  return undefined;
}

function summarise(
  path: string,
  format: Inspection['format'],
  config: LlamaConfig,
  records: readonly TensorRecord[],
  files: { name: string; bytes: number }[],
): Inspection {
  const totals: Record<Part, number> = { embedding: 0, head: 0, norms: 0, attention: 0, mlp: 0 };
  const perLayer: LayerParameters[] = Array.from({ length: config.numLayers }, (_, layer) => ({
    layer,
    attention: 0,
    mlp: 0,
    norms: 0,
    total: 0,
  }));
  const dtypes: Record<string, number> = {};
  for (const r of records) {
    const c = classifyTensor(r.name);
    if (!c) continue;
    const n = r.shape.reduce((a, d) => a * d, 1);
    totals[c.part] += n;
    dtypes[r.dtype] = (dtypes[r.dtype] ?? 0) + 1;
    const layer = c.layer === undefined ? undefined : perLayer[c.layer];
    if (layer && c.part !== 'embedding' && c.part !== 'head') {
      layer[c.part] += n;
      layer.total += n;
    }
  }
  const total = Object.values(totals).reduce((a, b) => a + b, 0);
  return {
    model: path,
    format,
    architecture: {
      type: 'llama',
      layers: config.numLayers,
      hiddenSize: config.hiddenSize,
      intermediateSize: config.intermediateSize,
      heads: config.numHeads,
      kvHeads: config.numKvHeads,
      headDim: config.headDim,
      vocabSize: config.vocabSize,
      maxPositionEmbeddings: config.maxPositionEmbeddings,
      ropeTheta: config.ropeTheta,
      ropeScaling: config.ropeScaling ? `llama3 ×${config.ropeScaling.factor}` : null,
      rmsNormEps: config.rmsNormEps,
      tiedEmbeddings: config.tieWordEmbeddings,
    },
    parameters: { ...totals, total, perLayer },
    dtypes,
    files,
    totalFileBytes: files.reduce((a, f) => a + f.bytes, 0),
    memory: memoryEstimate(config, total),
  };
}

/**
 * A rough GPU memory estimate: the weights as f32 (how they are held on the GPU, whatever the file
 * dtype), a batch-1 KV cache at the full context, and the peak activations of one pipeline batch
 * (logits, attention scores, MLP intermediates and a few hidden states).
 */
export function memoryEstimate(config: LlamaConfig, parameters: number): Inspection['memory'] {
  const f32 = 4;
  const b = STREAMLINE_DEFAULTS.batchSize;
  const t = STREAMLINE_DEFAULTS.blockLength;
  const weightsBytes = parameters * f32;
  const kvCacheBytes =
    2 * config.numLayers * config.maxPositionEmbeddings * config.numKvHeads * config.headDim * f32;
  const activationBytes =
    f32 *
    b *
    t *
    (config.vocabSize + config.numHeads * t + 3 * config.intermediateSize + 4 * config.hiddenSize);
  return {
    weightsBytes,
    kvCacheBytes,
    activationBytes,
    totalBytes: weightsBytes + kvCacheBytes + activationBytes,
    assumptions:
      `weights held as f32; KV cache for 1 sequence of ${config.maxPositionEmbeddings} tokens (generation); ` +
      `activations for one batch of ${b} blocks × ${t} tokens (the pruning defaults): logits, attention ` +
      'scores, MLP intermediates and four hidden states. Training adds the replacement and its AdamW state.',
  };
}

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
