import { ropeInvFreq } from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';

/**
 * RoPE's inverse frequencies [headDim / 2] for a configuration, as Hugging Face's rope init
 * functions compute them in float32: `default`; `llama3` (frequency-dependent, in ropeInvFreq);
 * `linear` (`_compute_linear_scaling_rope_parameters`: every frequency divided by the factor,
 * i.e. positions interpolated).
 */
export function ropeFrequencies(config: LlamaConfig): Float32Array {
  const { headDim, ropeTheta, ropeScaling: s } = config;
  if (s?.type !== 'linear') return ropeInvFreq(headDim, ropeTheta, s);
  const inv = ropeInvFreq(headDim, ropeTheta);
  for (let i = 0; i < inv.length; i++) inv[i] = Math.fround((inv[i] as number) / s.factor);
  return inv;
}
