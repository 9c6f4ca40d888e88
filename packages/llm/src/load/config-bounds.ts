/**
 * The sizes in a configuration checked against the tensors actually stored, before a model is
 * built from it. Building allocates per layer and per dimension; a corrupt header (a GGUF whose
 * `llama.block_count` says 2147483647) must fail here with one line, not exhaust the heap. The
 * exact names and shapes are checked later, by the loader, against the model built.
 */
import type { LlamaConfig } from '../config/llama-config.js';
import { numElements, type TensorRecord } from '../io/tensor-index.js';

/** A stored tensor under its Hugging Face name. */
interface Named {
  hfName: string;
  record: Pick<TensorRecord, 'shape'>;
}

/**
 * Throws, naming `where`, when `config` cannot describe `records`: more layers than tensors, or a
 * dimension larger than every stored tensor together could hold.
 */
export function assertConfigFitsTensors(
  config: LlamaConfig,
  records: readonly Named[],
  where: string,
): void {
  if (records.length === 0) throw new Error(`${where}: the checkpoint holds no weight tensors`);
  let elements = 0;
  for (const { record } of records) elements += numElements(record.shape);
  // Only absurd counts are refused here: a count that is merely wrong gets the loader's message,
  // which names the missing or unexpected tensors.
  if (config.numLayers > records.length) {
    throw new Error(
      `${where}: the configuration says ${config.numLayers} layers, but the checkpoint stores only ${records.length} tensors`,
    );
  }
  const dims: [string, number][] = [
    ['hidden size', config.hiddenSize],
    ['intermediate size', config.intermediateSize],
    ['vocabulary size', config.vocabSize],
    ['attention width (heads × head size)', config.numHeads * config.headDim],
  ];
  for (const [name, value] of dims) {
    if (!(value <= elements)) {
      throw new Error(
        `${where}: the configuration's ${name} ${value} is larger than all ${elements} stored weights together`,
      );
    }
  }
}
