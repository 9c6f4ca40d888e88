/**
 * Naive float64 twins of the ops whose kernels (tensor) and gradients (autograd) are both tested
 * against them. A twin used by one package's tests only stays in that test file.
 */
export type { AttentionCase } from './attention.js';
export { naiveAttention } from './attention.js';
export { naiveRope } from './rope.js';
