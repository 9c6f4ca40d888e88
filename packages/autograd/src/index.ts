/**
 * @llm-streamline/autograd — reverse-mode automatic differentiation over @llm-streamline/tensor,
 * neural-network modules and optimisers that step on the GPU.
 */

export { sumToShape } from './broadcast.js';
export { isGradEnabled, noGrad } from './grad-mode.js';
export type { GradientAttrs, GradientOp, GradientRule } from './gradients.js';
export { GRADIENTS } from './gradients.js';
export type { EmbeddingOptions } from './nn/embedding.js';
export { Embedding } from './nn/embedding.js';
export type { ParameterInit } from './nn/init.js';
export * as init from './nn/init.js';
export { manualSeed } from './nn/init.js';
export type { LinearOptions } from './nn/linear.js';
export { Linear } from './nn/linear.js';
export { mseLoss } from './nn/losses.js';
export type { LoadStateDictOptions, LoadStateDictResult } from './nn/module.js';
export { Module, ModuleList } from './nn/module.js';
export type { RMSNormOptions } from './nn/rms-norm.js';
export { RMSNorm } from './nn/rms-norm.js';
export type { SwiGLUOptions } from './nn/swiglu.js';
export { SwiGLU } from './nn/swiglu.js';
export type { BackwardFn, GraphVariable } from './node.js';
export { Node } from './node.js';
export * from './ops/attention.js';
export * from './ops/concat.js';
export * from './ops/cross-entropy.js';
export * from './ops/embedding.js';
export * from './ops/linear.js';
export * from './ops/linear-cross-entropy.js';
export * from './ops/matmul.js';
export * from './ops/pointwise.js';
export type { VarOperand } from './ops/record.js';
export { record, recordOp } from './ops/record.js';
export * from './ops/reduce.js';
export * from './ops/rms-norm.js';
export * from './ops/rope.js';
export * from './ops/softmax.js';
export * from './ops/split.js';
export * from './ops/views.js';
export { backwardMicroBatch, scaleGrads } from './optim/accumulate.js';
export type { AdamWOptions } from './optim/adamw.js';
export { AdamW } from './optim/adamw.js';
export type { ClipGradNormOptions } from './optim/clip-grad-norm.js';
export { clipGradNorm } from './optim/clip-grad-norm.js';
export { Optimizer } from './optim/optimizer.js';
export type { LrSchedule, WarmupCosineOptions } from './optim/schedule.js';
export { constantLr, warmupCosine } from './optim/schedule.js';
export type { SGDOptions } from './optim/sgd.js';
export { SGD } from './optim/sgd.js';
export type { UpdateProgram } from './optim/update-kernel.js';
export { runUpdate } from './optim/update-kernel.js';
export { Variable, variable } from './variable.js';
