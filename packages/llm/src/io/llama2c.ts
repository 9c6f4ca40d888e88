/**
 * llama2.c legacy (version 0) checkpoints, as read by karpathy/llama2.c run.c.
 *
 * Layout: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads,
 * n_kv_heads, vocab_size, seq_len) followed by float32 tensors in this order:
 * token_embedding_table [vocab, dim], rms_att_weight [L, dim], wq [L, dim, dim],
 * wk [L, kv_dim, dim], wv [L, kv_dim, dim], wo [L, dim, dim], rms_ffn_weight [L, dim],
 * w1 [L, hidden, dim], w2 [L, dim, hidden], w3 [L, hidden, dim], rms_final_weight [dim],
 * freq_cis_real [seq_len, head_size/2], freq_cis_imag [same], then wcls [vocab, dim]
 * only when the classifier is not shared. A negative vocab_size in the header
 * means "not shared". Matrices are [out, in] row-major like PyTorch Linear.
 *
 * Record names follow run.c's TransformerWeights fields, with per-layer slices
 * suffixed `.{layer}` (e.g. `wq.3`); weight-names.ts maps them to HF names.
 * q/k rows are in the interleaved RoPE layout (see rope-layout.ts).
 */
import type { ByteSource } from './byte-source.js';
import type { TensorIndex, TensorRecord } from './tensor-index.js';

export const LLAMA2C_HEADER_BYTES = 28;

/** The 7-int header, with the sign of vocab_size decoded. */
export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  /** True when the classifier reuses token_embedding_table (header vocab_size > 0). */
  sharedClassifier: boolean;
}

export interface Llama2cCheckpoint extends TensorIndex {
  readonly source: ByteSource;
  readonly header: Llama2cHeader;
}

/** Decodes and sanity-checks the header, naming `fileName` in errors. */
export function parseLlama2cHeader(bytes: Uint8Array, fileName: string): Llama2cHeader {
  if (bytes.byteLength < LLAMA2C_HEADER_BYTES) {
    throw new Error(
      `${fileName}: too short for a llama2.c header (${bytes.byteLength} bytes, need ${LLAMA2C_HEADER_BYTES})`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, LLAMA2C_HEADER_BYTES);
  const field = (i: number) => view.getInt32(i * 4, true);
  const rawVocab = field(5);
  const header: Llama2cHeader = {
    dim: field(0),
    hiddenDim: field(1),
    nLayers: field(2),
    nHeads: field(3),
    nKvHeads: field(4),
    vocabSize: Math.abs(rawVocab),
    seqLen: field(6),
    sharedClassifier: rawVocab > 0,
  };
  for (const [key, value] of Object.entries(header)) {
    if (typeof value === 'number' && !(value > 0)) {
      throw new Error(
        `${fileName}: llama2.c header field ${key} = ${value} must be positive (not a llama2.c checkpoint?)`,
      );
    }
  }
  if (
    header.dim % header.nHeads !== 0 ||
    header.nHeads % header.nKvHeads !== 0 ||
    (header.dim / header.nHeads) % 2 !== 0
  ) {
    throw new Error(
      `${fileName}: inconsistent llama2.c header: dim ${header.dim}, n_heads ${header.nHeads}, n_kv_heads ${header.nKvHeads}`,
    );
  }
  return header;
}

/** The tensors of a checkpoint in file order: name and row-major shape. */
export function llama2cTensorLayout(h: Llama2cHeader): { name: string; shape: number[] }[] {
  const headSize = h.dim / h.nHeads;
  const kvDim = (h.dim * h.nKvHeads) / h.nHeads;
  const layout: { name: string; shape: number[] }[] = [
    { name: 'token_embedding_table', shape: [h.vocabSize, h.dim] },
  ];
  const perLayer = (name: string, shape: number[]) => {
    for (let l = 0; l < h.nLayers; l++) layout.push({ name: `${name}.${l}`, shape });
  };
  perLayer('rms_att_weight', [h.dim]);
  perLayer('wq', [h.dim, h.dim]);
  perLayer('wk', [kvDim, h.dim]);
  perLayer('wv', [kvDim, h.dim]);
  perLayer('wo', [h.dim, h.dim]);
  perLayer('rms_ffn_weight', [h.dim]);
  perLayer('w1', [h.hiddenDim, h.dim]);
  perLayer('w2', [h.dim, h.hiddenDim]);
  perLayer('w3', [h.hiddenDim, h.dim]);
  layout.push({ name: 'rms_final_weight', shape: [h.dim] });
  layout.push({ name: 'freq_cis_real', shape: [h.seqLen, headSize / 2] });
  layout.push({ name: 'freq_cis_imag', shape: [h.seqLen, headSize / 2] });
  if (!h.sharedClassifier) layout.push({ name: 'wcls', shape: [h.vocabSize, h.dim] });
  return layout;
}

/**
 * Parses a llama2.c checkpoint: validates that the file size is exactly what
 * the header implies and returns records for every tensor (no data is read).
 */
export async function parseLlama2cCheckpoint(source: ByteSource): Promise<Llama2cCheckpoint> {
  const file = source.name;
  const header = parseLlama2cHeader(
    await source.read(0, Math.min(LLAMA2C_HEADER_BYTES, source.size)),
    file,
  );
  assertImpliedSize(header, source.size, file);
  const layout = llama2cTensorLayout(header);
  const tensors = new Map<string, TensorRecord>();
  let offset = LLAMA2C_HEADER_BYTES;
  for (const { name, shape } of layout) {
    const byteLength = shape.reduce((n, d) => n * d, 4);
    tensors.set(name, { name, dtype: 'F32', shape, byteOffset: offset, byteLength, source });
    offset += byteLength;
  }
  if (offset !== source.size) {
    throw new Error(
      `${file}: llama2.c checkpoint size mismatch — the header implies ${offset} bytes but the file has ${source.size}`,
    );
  }
  return { source, header, tensors, metadata: {} };
}

/**
 * The file size the header implies, in bytes. Computed in doubles, which cannot wrap around as
 * int32 or int64 arithmetic would: every partial product of a real file's size is an exact
 * integer (below 2^53), and a hostile header's is merely huge.
 */
export function llama2cImpliedSize(h: Llama2cHeader): number {
  const headSize = h.dim / h.nHeads;
  const kvDim = (h.dim * h.nKvHeads) / h.nHeads;
  const perLayer = h.dim * 2 + h.dim * h.dim * 2 + kvDim * h.dim * 2 + h.hiddenDim * h.dim * 3;
  const classifiers = h.sharedClassifier ? 1 : 2;
  const floats =
    classifiers * h.vocabSize * h.dim + h.nLayers * perLayer + h.dim + h.seqLen * headSize;
  return LLAMA2C_HEADER_BYTES + 4 * floats;
}

/**
 * Rejects a header whose implied size is not the file's, before the layout (one record per
 * tensor per layer) is built: `n_layers = 2147483647` must fail at once, not exhaust the heap.
 */
function assertImpliedSize(header: Llama2cHeader, size: number, file: string): void {
  const implied = llama2cImpliedSize(header);
  if (implied !== size) {
    throw new Error(
      `${file}: llama2.c checkpoint size mismatch — the header implies ${implied} bytes but the file has ${size} (dim ${header.dim}, hidden_dim ${header.hiddenDim}, n_layers ${header.nLayers}, vocab_size ${header.vocabSize}, seq_len ${header.seqLen})`,
    );
  }
}
