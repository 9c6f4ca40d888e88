/**
 * A checkpoint's parameters counted by part (embedding, attention, MLP, norms, output head) and
 * by layer, from its stored tensors: what a model costs and where, before it is loaded.
 */
import type { TensorRecord } from '../io/tensor-index.js';
import {
  hfNameFromGguf,
  hfNameFromLlama2c,
  type WeightPart,
  weightPart,
} from '../io/weight-names.js';
import type { ModelFormat } from '../load/load-model.js';

/** Parameters of one decoder layer, by part. */
export interface LayerParameters {
  layer: number;
  attention: number;
  mlp: number;
  norms: number;
  total: number;
}

/** Parameters by part, in all and per layer. */
export type ParameterCounts = Record<WeightPart, number> & {
  total: number;
  perLayer: LayerParameters[];
};

/** What {@link describeCheckpoint} finds. */
export interface CheckpointDescription {
  parameters: ParameterCounts;
  /** Number of weight tensors per stored dtype (RoPE tables and other non-weights left out). */
  dtypes: Record<string, number>;
}

/**
 * Counts the parameters of a checkpoint of `numLayers` layers, stored in `format`, from its
 * tensor records (names, shapes and dtypes only). Counts what is stored: a tied output head counts
 * zero. Tensors that are not weights (llama2.c freq_cis, GGUF rope_freqs) are left out.
 */
export function describeCheckpoint(
  format: ModelFormat,
  numLayers: number,
  tensors: Iterable<TensorRecord>,
): CheckpointDescription {
  // The order of the keys is the order of the `inspect --json` output.
  const totals: Record<WeightPart, number> = {
    embedding: 0,
    head: 0,
    norms: 0,
    attention: 0,
    mlp: 0,
  };
  const perLayer: LayerParameters[] = Array.from({ length: numLayers }, (_, layer) => ({
    layer,
    attention: 0,
    mlp: 0,
    norms: 0,
    total: 0,
  }));
  const dtypes: Record<string, number> = {};
  for (const record of tensors) {
    const hfName = hfNameIn(format, record.name);
    const weight = hfName === undefined ? undefined : weightPart(hfName);
    if (!weight) continue;
    const n = record.shape.reduce((a, d) => a * d, 1);
    totals[weight.part] += n;
    dtypes[record.dtype] = (dtypes[record.dtype] ?? 0) + 1;
    const layer = weight.layer === undefined ? undefined : perLayer[weight.layer];
    if (layer && weight.part !== 'embedding' && weight.part !== 'head') {
      layer[weight.part] += n;
      layer.total += n;
    }
  }
  const total = Object.values(totals).reduce((a, b) => a + b, 0);
  return { parameters: { ...totals, total, perLayer }, dtypes };
}

function hfNameIn(format: ModelFormat, name: string): string | undefined {
  if (format === 'gguf') return hfNameFromGguf(name);
  if (format === 'llama2c') return hfNameFromLlama2c(name);
  return name;
}
