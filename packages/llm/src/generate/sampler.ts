import { Xorshift64Star } from './xorshift.js';

export interface SamplerOptions {
  /** 0 picks the most likely token (greedy). Default 1. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. 1 (default) keeps all. */
  topP?: number;
  /** Seed of the random generator (xorshift64*, as llama2.c). Default 42. */
  seed?: number;
}

/**
 * Picks the next token from logits exactly as llama2.c's `sample` does: greedy at temperature 0;
 * otherwise softmax(logits / temperature) in float32, then either multinomial sampling or top-p
 * (candidates under (1 − p)/(n − 1) dropped, sorted by probability, truncated where the cumulative
 * probability first exceeds p). Matching it bit for bit lets tests compare seeded outputs with run.c.
 */
export class Sampler {
  readonly temperature: number;
  readonly topP: number;
  private readonly rng: Xorshift64Star;

  constructor({ temperature = 1, topP = 1, seed = 42 }: SamplerOptions = {}) {
    if (!(temperature >= 0))
      throw new RangeError(`Sampler: temperature must be ≥ 0, got ${temperature}`);
    if (!(topP > 0 && topP <= 1))
      throw new RangeError(`Sampler: topP must be in (0, 1], got ${topP}`);
    this.temperature = temperature;
    this.topP = topP;
    this.rng = new Xorshift64Star(seed);
  }

  sample(logits: Float32Array): number {
    if (this.temperature === 0) return argmax(logits);
    const probs = softmaxF32(logits, this.temperature);
    const coin = this.rng.nextFloat();
    return this.topP <= 0 || this.topP >= 1
      ? sampleMultinomial(probs, coin)
      : sampleTopP(probs, this.topP, coin);
  }
}

/** Index of the largest value; the first on ties. */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** Softmax of logits / temperature with float32 rounding at each step, as run.c computes it. */
function softmaxF32(logits: Float32Array, temperature: number): Float32Array {
  const f = Math.fround;
  const x = new Float32Array(logits.length);
  for (let i = 0; i < x.length; i++) x[i] = f((logits[i] as number) / f(temperature));
  let max = x[0] as number;
  for (let i = 1; i < x.length; i++) if ((x[i] as number) > max) max = x[i] as number;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = f(Math.exp(f((x[i] as number) - max)));
    sum = f(sum + (x[i] as number));
  }
  for (let i = 0; i < x.length; i++) x[i] = f((x[i] as number) / sum);
  return x;
}

function sampleMultinomial(probs: Float32Array, coin: number): number {
  let cdf = 0;
  for (let i = 0; i < probs.length; i++) {
    cdf = Math.fround(cdf + (probs[i] as number));
    if (coin < cdf) return i;
  }
  return probs.length - 1; // rounding errors
}

function sampleTopP(probs: Float32Array, topP: number, coin: number): number {
  const f = Math.fround;
  const cutoff = f(f(1 - topP) / (probs.length - 1));
  const candidates: { index: number; prob: number }[] = [];
  for (let i = 0; i < probs.length; i++)
    if ((probs[i] as number) >= cutoff) candidates.push({ index: i, prob: probs[i] as number });
  candidates.sort((a, b) => b.prob - a.prob);
  let cumulative = 0;
  let last = candidates.length - 1;
  for (let i = 0; i < candidates.length; i++) {
    cumulative = f(cumulative + (candidates[i] as { prob: number }).prob);
    if (cumulative > topP) {
      last = i;
      break;
    }
  }
  const r = f(coin * cumulative);
  let cdf = 0;
  for (let i = 0; i <= last; i++) {
    cdf = f(cdf + (candidates[i] as { prob: number }).prob);
    if (r < cdf) return (candidates[i] as { index: number }).index;
  }
  return (candidates[last] as { index: number }).index;
}
