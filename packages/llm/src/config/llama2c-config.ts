/**
 * LlamaConfig for a llama2.c checkpoint header. The constants are those
 * hard-coded in run.c: RMSNorm eps 1e-5, RoPE base 10000, BOS 1, EOS 2.
 */
import type { Llama2cHeader } from '../io/llama2c.js';
import { type LlamaConfig, validateLlamaConfig } from './llama-config.js';

export function llamaConfigFromLlama2c(
  header: Llama2cHeader,
  fileName = 'llama2.c checkpoint',
): LlamaConfig {
  const config: LlamaConfig = {
    modelType: 'llama',
    hiddenSize: header.dim,
    intermediateSize: header.hiddenDim,
    numLayers: header.nLayers,
    numHeads: header.nHeads,
    numKvHeads: header.nKvHeads,
    headDim: header.dim / header.nHeads,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: header.sharedClassifier,
    vocabSize: header.vocabSize,
    bosTokenId: 1,
    eosTokenId: 2,
    qkvBias: false,
    oBias: false,
    mlpBias: false,
    maxPositionEmbeddings: header.seqLen,
  };
  validateLlamaConfig(config, fileName);
  return config;
}
