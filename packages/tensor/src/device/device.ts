import { type BufferLimits, BufferPool, type MemoryStats } from '../runtime/buffer-pool.js';
import { type BufferBinding, isBufferRange } from '../runtime/buffer-range.js';
import { CommandBatch } from '../runtime/command-batch.js';
import { type DebugFlags, readDebugFlags } from '../runtime/debug.js';
import { PipelineCache } from '../runtime/pipeline-cache.js';
import { DeviceLimitError, formatBytes, type TensorDescription } from './device-limit-error.js';
import { findGpu } from './gpu-provider.js';
import { NoAdapterError } from './no-adapter-error.js';

/**
 * Which family of kernels to use. CPU adapters (SwiftShader) run fastest with `register` kernels
 * that keep a block of outputs in registers and touch no workgroup memory; discrete and integrated
 * GPUs run fastest with `tiled` kernels that stage tiles in workgroup memory.
 */
export type KernelVariant = 'register' | 'tiled';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader, WARP, lavapipe…). */
  isCpu: boolean;
  /** The adapter's features (the device enables only those the ops use). */
  features: readonly string[];
}

export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Override the adapter-based kernel choice (also `LLMS_KERNELS=register|tiled` in Node). */
  kernelVariant?: KernelVariant;
  /** Most bytes the buffer pool keeps for reuse. Default: 1/4 of the largest buffer, at least 256 MiB. */
  poolCapBytes?: number;
  /** Dispatches recorded before an automatic submit. Default 64. */
  maxDispatchesPerSubmit?: number;
  /**
   * Smaller buffer limits than the adapter's, checked as if they were its own (each is the smaller
   * of the two): lets tests hit a limit without allocating a gigabyte.
   */
  limitsOverride?: Partial<BufferLimits>;
  /**
   * Read f16 tensors as WGSL's f16 type where the adapter has `shader-f16` (default true). False
   * makes kernels read them as packed u32 words, as on adapters without the feature: lets tests
   * run both paths on one adapter.
   */
  nativeF16?: boolean;
}

/** One kernel launch: bindings are `params` at 0, then `buffers` in order from 1. */
export interface KernelCall {
  /** Shown in debug output and error messages. */
  name: string;
  /** Complete WGSL with entry point `main`. */
  source: string;
  /** 32-bit words bound as `array<u32>` at binding 0 (floats via `bitcast<f32>`). Must be non-empty. */
  params: ArrayLike<number>;
  /**
   * Whole buffers, or byte ranges of them (`{ buffer, offset, size }`, offset a multiple of
   * `minStorageBufferOffsetAlignment`): how a kernel reads part of a buffer larger than
   * `maxStorageBufferBindingSize`. Each is checked against that limit by the bytes it binds.
   */
  buffers: readonly BufferBinding[];
  workgroups: readonly [number, number, number];
}

/**
 * A WebGPU device with everything ops need to run on it: the buffer pool, the pipeline cache and
 * the open command batch. Create one with {@link Device.create} or use {@link getDevice}.
 */
export class Device {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly batch: CommandBatch;
  readonly debug: DebugFlags;
  kernelVariant: KernelVariant;
  /**
   * Whether kernels read f16 storage as WGSL `f16` (the device has `shader-f16` and
   * `DeviceOptions.nativeF16` is not false) rather than unpacking u32 words.
   */
  readonly nativeF16: boolean;
  /** The limits every allocation and binding is checked against (see `limitsOverride`). */
  readonly bufferLimits: BufferLimits;
  private lostReason: string | undefined;
  private uncaptured: Error | undefined;
  private lastDone = 0;

  private constructor(
    readonly gpu: GPUDevice,
    readonly adapter: AdapterDescription,
    readonly source: string,
    options: DeviceOptions,
  ) {
    this.debug = readDebugFlags();
    this.nativeF16 = gpu.features.has('shader-f16') && options.nativeF16 !== false;
    const override = options.limitsOverride ?? {};
    this.bufferLimits = {
      maxBufferSize: Math.min(gpu.limits.maxBufferSize, override.maxBufferSize ?? Infinity),
      maxStorageBufferBindingSize: Math.min(
        gpu.limits.maxStorageBufferBindingSize,
        override.maxStorageBufferBindingSize ?? Infinity,
      ),
    };
    const cap = options.poolCapBytes ?? Math.max(256 * 2 ** 20, gpu.limits.maxBufferSize / 4);
    this.pool = new BufferPool(gpu, cap, {
      limits: this.bufferLimits,
      adapter: adapterName(adapter),
      // The root cause: it replaces a validation error from using the buffer that was not made.
      onLateError: (e) => {
        if (!(this.uncaptured instanceof DeviceLimitError)) this.uncaptured = e;
      },
    });
    this.pipelines = new PipelineCache(gpu, this.debug);
    this.batch = new CommandBatch(
      gpu,
      this.pool,
      this.debug.dispatch ? 1 : (options.maxDispatchesPerSubmit ?? 64),
    );
    this.pool.submitPending = () => this.batch.flush();
    this.kernelVariant =
      options.kernelVariant ?? envKernelVariant() ?? (adapter.isCpu ? 'register' : 'tiled');
    gpu.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
    });
    gpu.addEventListener('uncapturederror', (event) => {
      this.uncaptured ??= new Error(
        `WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`,
      );
    });
  }

  /** Requests an adapter and a device with the adapter's full buffer limits and useful features. */
  static async create(options: DeviceOptions = {}): Promise<Device> {
    const provider = await findGpu();
    const tried = [
      provider ? provider.source : 'navigator.gpu (absent) and Node Dawn (not in Node)',
    ];
    if (!provider) throw new NoAdapterError(tried);
    const adapter = await provider.gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
    });
    if (!adapter) throw new NoAdapterError([`${provider.source}: requestAdapter() returned null`]);
    const wanted: GPUFeatureName[] = ['shader-f16', 'timestamp-query'];
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    const limits = adapter.limits;
    const gpu = await adapter.requestDevice({
      requiredFeatures,
      requiredLimits: {
        maxBufferSize: limits.maxBufferSize,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
      },
    });
    const info = adapter.info;
    const description: AdapterDescription = {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isCpu:
        (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
        /swiftshader|llvmpipe|lavapipe|warp|software/i.test(
          `${info.architecture} ${info.device} ${info.description}`,
        ),
      features: [...(adapter.features as ReadonlySet<string>)].sort(),
    };
    const device = new Device(gpu, description, provider.source, options);
    if (device.debug.device) console.log(`[llms:device] ${device.describe()}`);
    return device;
  }

  /**
   * One line saying which adapter this is and the limits that decide what fits, e.g.
   * `mesa llvmpipe (cpu) via Dawn …; maxBufferSize 4.0 GiB, maxStorageBufferBindingSize 128.0 MiB; shader-f16 subgroups`.
   * Logged at creation with `DEBUG=llms:device`.
   */
  describe(): string {
    const l = this.gpu.limits;
    const mib = (n: number) => formatBytes(n).replace(/^\d+ bytes \((.*)\)$/, '$1');
    const features = ['shader-f16', 'subgroups', 'timestamp-query'].filter((f) =>
      this.adapter.features.includes(f),
    );
    const checked =
      this.bufferLimits.maxBufferSize < l.maxBufferSize ||
      this.bufferLimits.maxStorageBufferBindingSize < l.maxStorageBufferBindingSize
        ? ` (checked against ${mib(this.bufferLimits.maxBufferSize)} / ${mib(this.bufferLimits.maxStorageBufferBindingSize)})`
        : '';
    return [
      `${adapterName(this.adapter)}${this.adapter.isCpu ? ' (cpu)' : ''} via ${this.source}`,
      `maxBufferSize ${mib(l.maxBufferSize)}, maxStorageBufferBindingSize ${mib(l.maxStorageBufferBindingSize)}${checked}`,
      `adapter features: ${features.join(' ') || 'none of shader-f16, subgroups, timestamp-query'}`,
      `kernels: ${this.kernelVariant}`,
      `f16 reads: ${this.nativeF16 ? 'native' : 'packed'}`,
    ].join('; ');
  }

  get features(): ReadonlySet<string> {
    return this.gpu.features as ReadonlySet<string>;
  }

  get limits(): GPUSupportedLimits {
    return this.gpu.limits;
  }

  /** Records one kernel launch into the current batch. */
  run(call: KernelCall): void {
    this.throwIfBroken();
    for (const binding of call.buffers) this.pool.checkBinding(binding, call.name);
    const pipeline = this.pipelines.get(call.name, call.source);
    const params = this.pool.acquire(call.params.length * 4);
    const words =
      call.params instanceof Uint32Array
        ? call.params
        : new Uint32Array(call.params as ArrayLike<number>);
    this.gpu.queue.writeBuffer(params, 0, words as Uint32Array<ArrayBuffer>);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: params } }];
    for (const [i, binding] of call.buffers.entries())
      entries.push({
        binding: i + 1,
        resource: isBufferRange(binding)
          ? { buffer: binding.buffer, offset: binding.offset, size: binding.size }
          : { buffer: binding },
      });
    const bindGroup = this.gpu.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const t0 = this.debug.dispatch ? performance.now() : 0;
    this.batch.dispatch(pipeline, bindGroup, call.workgroups);
    this.pool.release(params);
    if (this.debug.dispatch) this.logDispatch(call, t0);
  }

  /**
   * Records a copy of `bytes` bytes between buffers (offsets and size multiples of 4), in order
   * with the kernels around it. Unlike a kernel it binds nothing, so it has no binding limit.
   */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.throwIfBroken();
    if (bytes > 0) this.batch.copy(src, srcOffset, dst, dstOffset, bytes);
  }

  /**
   * Uploads bytes into a fresh pooled buffer (padded to a multiple of 4 bytes). `what` names the
   * tensor in the error when it does not fit.
   */
  upload(bytes: Uint8Array, what?: TensorDescription): GPUBuffer {
    const buffer = this.pool.acquire(Math.max(4, bytes.byteLength), undefined, what);
    const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
    if (padded.byteLength > 0)
      this.gpu.queue.writeBuffer(buffer, 0, padded as Uint8Array<ArrayBuffer>);
    return buffer;
  }

  /** Copies `byteLength` bytes from `byteOffset` of a buffer back to the CPU. */
  async read(buffer: GPUBuffer, byteOffset: number, byteLength: number): Promise<ArrayBuffer> {
    this.throwIfBroken();
    const size = Math.ceil(byteLength / 4) * 4;
    const staging = this.pool.acquire(Math.max(size, 4), 0x0001 | 0x0008, { op: 'read' }); // MAP_READ | COPY_DST
    if (size > 0) this.batch.copy(buffer, byteOffset, staging, 0, size);
    this.batch.flush();
    try {
      await staging.mapAsync(0x0001, 0, Math.max(size, 4));
      const out = staging.getMappedRange(0, Math.max(size, 4)).slice(0, byteLength);
      staging.unmap();
      return out;
    } catch (e) {
      await this.throwIfBrokenSettled();
      throw e;
    } finally {
      this.pool.release(staging);
      await this.throwIfBrokenSettled();
    }
  }

  /** Submits pending work and waits for the GPU to finish it. */
  async sync(): Promise<void> {
    this.batch.flush();
    await this.gpu.queue.onSubmittedWorkDone();
    await this.throwIfBrokenSettled();
  }

  memoryStats(): MemoryStats {
    return this.pool.memoryStats();
  }

  /** Releases the GPU device; later use throws. */
  destroy(): void {
    this.batch.flush();
    this.pool.trim();
    this.gpu.destroy();
  }

  private throwIfBroken(): void {
    if (this.lostReason)
      throw new Error(`The WebGPU device was lost (${this.lostReason}); create a new Device.`);
    const compile = this.pipelines.takeError();
    if (compile) throw compile;
    // While an allocation's out-of-memory check is pending, an error may only be its consequence
    // (a use of the buffer that was not made): keep it for the async paths, which wait for the check.
    if (this.pool.checksPending) return;
    const e = this.uncaptured;
    this.uncaptured = undefined;
    if (e) throw e;
  }

  /** {@link throwIfBroken} once pending out-of-memory checks have reported (they name the cause). */
  private async throwIfBrokenSettled(): Promise<void> {
    await this.pool.checksSettled();
    this.throwIfBroken();
  }

  private logDispatch(call: KernelCall, t0: number): void {
    this.gpu.queue.onSubmittedWorkDone().then(() => {
      const now = performance.now();
      const ms = now - Math.max(t0, this.lastDone);
      this.lastDone = now;
      console.log(
        `[llms:dispatch] ${call.name} wg=${call.workgroups.join('x')} ${ms.toFixed(3)} ms`,
      );
    });
  }
}

/** The adapter in words (vendor, architecture, description), as error messages name it. */
export function adapterName(a: AdapterDescription): string {
  const parts = [a.vendor, a.architecture, a.description].filter((p) => p !== '');
  return parts.join(' ') || 'unnamed adapter';
}

function padTo4(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}

function envKernelVariant(): KernelVariant | undefined {
  const g = globalThis as {
    LLMS_KERNELS?: string;
    process?: { env?: Record<string, string | undefined> };
  };
  const v = g.LLMS_KERNELS ?? g.process?.env?.LLMS_KERNELS;
  if (v === undefined || v === '') return undefined;
  if (v === 'register' || v === 'tiled') return v;
  throw new Error(`LLMS_KERNELS must be 'register' or 'tiled', got '${v}'`);
}

let defaultDevice: Promise<Device> | undefined;
let current: Device | undefined;

/**
 * The process-wide default device, created on first use. Ops that create tensors from nothing
 * (`zeros`, `tensor`, …) use it unless given a device, so await this once at start-up.
 */
export function getDevice(options?: DeviceOptions): Promise<Device> {
  defaultDevice ??= Device.create(options).then(
    (d) => {
      current ??= d;
      return d;
    },
    (e) => {
      defaultDevice = undefined;
      throw e;
    },
  );
  return defaultDevice;
}

/** Makes `device` the one used by creation ops when none is given. */
export function setCurrentDevice(device: Device): void {
  current = device;
}

/** The device creation ops use; throws if none has been created yet. */
export function currentDevice(): Device {
  if (!current)
    throw new Error('No WebGPU device yet: call `await getDevice()` once before creating tensors.');
  return current;
}
