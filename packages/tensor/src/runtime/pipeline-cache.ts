import type { DebugFlags } from './debug.js';
import { WgslCompileError } from './wgsl-errors.js';

/**
 * Compiles each distinct WGSL source once. Kernels are generated at run time, so the source text
 * itself is the cache key: two ops that generate the same code share one pipeline.
 *
 * Pipeline creation is synchronous (ops must return tensors without awaiting), so compile errors
 * are collected asynchronously and rethrown by the next readback via {@link takeError}.
 */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private error: Error | undefined;

  constructor(
    private readonly device: GPUDevice,
    private readonly debug: DebugFlags,
  ) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(name: string, source: string): GPUComputePipeline {
    let pipeline = this.pipelines.get(source);
    if (pipeline) return pipeline;
    if (this.debug.wgsl) console.log(`[llms:wgsl] ${name}\n${source}`);
    const module = this.device.createShaderModule({ code: source, label: name });
    module.getCompilationInfo().then((info) => {
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length > 0) this.error ??= new WgslCompileError(name, source, errors);
    });
    this.device.pushErrorScope('validation');
    pipeline = this.device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: name,
    });
    this.device.popErrorScope().then((e) => {
      if (e && !this.error)
        this.error = new Error(`Pipeline for kernel '${name}' is invalid: ${e.message}`);
    });
    this.pipelines.set(source, pipeline);
    return pipeline;
  }

  /** Returns and clears the first compile error seen since the last call. */
  takeError(): Error | undefined {
    const e = this.error;
    this.error = undefined;
    return e;
  }
}
