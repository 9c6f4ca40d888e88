/**
 * The benchmark table: one entry per case. `work` turns a time into the reported rate
 * (GFLOP/s for compute-bound ops, GB/s of compulsory traffic for memory-bound ones).
 */
import type { Op } from './libraries.js';

export interface Case {
  name: string;
  op: Op;
  /** Floating-point operations (GFLOP/s) or bytes moved (GB/s) per run. */
  work: { amount: number; unit: 'GFLOP/s' | 'GB/s' };
  /** Time budget for the round-robin repetitions of all libraries, ms (default: --budget). */
  budgetMs?: number;
}

const matmul = (m: number, k: number, n: number): Case => ({
  name: `matmul ${m}x${k} · ${k}x${n}`,
  op: { kind: 'matmul', a: [m, k], b: [k, n] },
  work: { amount: 2 * m * k * n, unit: 'GFLOP/s' },
});

/** x[m, k] · W[n, k]ᵀ, the weight stored as f32 or bf16: what 16-bit weights cost or save. */
const linear = (m: number, k: number, n: number, weight: 'f32' | 'bf16'): Case => ({
  name: `linear ${m}x${k} · (${n}x${k})ᵀ ${weight} W`,
  op: { kind: 'linear', x: [m, k], w: [n, k], weight },
  work: { amount: 2 * m * k * n, unit: 'GFLOP/s' },
});

export const CASES: Case[] = [
  matmul(256, 256, 256),
  matmul(512, 512, 512),
  matmul(1024, 1024, 1024),
  matmul(64, 128, 352),
  matmul(256, 768, 2048),
  linear(512, 2048, 2048, 'f32'),
  linear(512, 2048, 2048, 'bf16'),
  // Read x once, write y once.
  {
    name: 'softmax [512, 512] (last axis)',
    op: { kind: 'softmax', x: [512, 512] },
    work: { amount: 2 * 512 * 512 * 4, unit: 'GB/s' },
  },
  // Read a and b, write the sum.
  {
    name: 'add 1M elements',
    op: { kind: 'add', x: [1 << 20] },
    work: { amount: 3 * (1 << 20) * 4, unit: 'GB/s' },
  },
  {
    // [B=1, H=8, T=256, D=16], causal. Work counted as the two dense T×T×D matmuls (4·B·H·T²·D).
    name: 'attention B1 H8 T256 D16 causal',
    op: { kind: 'attention', qkv: [1, 8, 256, 16] },
    work: { amount: 4 * 8 * 256 * 256 * 16, unit: 'GFLOP/s' },
  },
];
