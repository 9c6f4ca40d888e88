/**
 * Weights that stay in the checkpoint until a stage needs them. A model larger than its memory
 * budget is loaded with its decoder layers and output head *streamed*: their parameters hold
 * placeholders (a zero broadcast to the shape, no memory) and the file ranges they come from. A
 * stage fetches one layer (ranged reads of just its tensors, uploaded exactly as the loader would
 * upload them, so results are bit-identical), runs every batch through it, and releases it. The
 * token embedding is never uploaded: the rows a batch uses are read from the file on the host.
 */
import type { Module, Variable } from '@llm-streamline/autograd';
import {
  bf16ToF32,
  type DType,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  keep,
  type Tensor,
  tensor,
} from '@llm-streamline/tensor';
import { numElements, type TensorRecord } from '../io/tensor-index.js';
import { tensorReadError } from '../io/tensor-read.js';
import type { WeightsDType } from '../load/weights-dtype.js';
import { bytesOnDevice } from './memory-plan.js';

/** One streamed parameter: where its bytes are and the dtype it is held in once fetched. */
export interface StreamedParameter {
  hfName: string;
  parameter: Variable;
  record: TensorRecord;
  dtype: DType;
}

/** What streaming cost: the bytes uploaded, and how long compute waited for them. */
export interface StreamStats {
  /** Parameter bytes uploaded to the device. */
  bytesUploaded: number;
  /** Units (layers, the head) fetched. */
  fetches: number;
  /** Wall seconds from the start to the end of each fetch, summed (reading and uploading). */
  fetchSeconds: number;
  /**
   * Wall seconds the device sat idle waiting for a fetch to finish (the host's wait, counted from
   * when the device had finished the work submitted before it): `fetchSeconds − waitSeconds` is
   * the part of the upload time the overlap with the previous layer's compute hid.
   */
  waitSeconds: number;
}

/** Reads a parameter's bytes and uploads them as the loader does (see load-weights.ts). */
export type UploadParameter = (p: StreamedParameter) => Promise<Tensor>;

/** The token embedding as the host reads it: its record and the dtype the device would hold. */
export interface EmbeddingRows {
  hfName: string;
  record: TensorRecord;
  dtype: DType;
}

export class WeightStream {
  private readonly units = new Map<Module, StreamedParameter[]>();
  /** Placeholders of the fetched units' parameters, put back on release. */
  private readonly fetched = new Map<Module, Tensor[]>();
  private readonly pending = new Map<Module, Promise<void>>();
  readonly stats: StreamStats = { bytesUploaded: 0, fetches: 0, fetchSeconds: 0, waitSeconds: 0 };

  constructor(
    private readonly upload: UploadParameter,
    private readonly embedding: EmbeddingRows,
    /** The dtype the weight matrices are held in (what `model.weightsDtype` reports). */
    readonly weightsDtype: WeightsDType,
    private readonly closeSources: () => Promise<void>,
  ) {}

  /** Registers `module`'s parameters as one unit, fetched and released together. */
  addUnit(module: Module, parameters: StreamedParameter[]): void {
    this.units.set(module, parameters);
  }

  /** True when `module` is a unit of this stream (its weights live in the checkpoint). */
  isStreamed(module: Module): boolean {
    return this.units.has(module);
  }

  /** True when `module` can run now: not streamed, or fetched. */
  isResident(module: Module): boolean {
    return !this.units.has(module) || this.fetched.has(module);
  }

  /** Device bytes of `module`'s parameters once fetched (0 for a module that is not streamed). */
  unitBytes(module: Module): number {
    return (this.units.get(module) ?? []).reduce(
      (sum, p) => sum + bytesOnDevice(numElements(p.record.shape), p.dtype),
      0,
    );
  }

  /**
   * Uploads `module`'s parameters (no-op for a module that is not streamed, or is already
   * fetched). A read that fails (a file truncated or changed since it was opened) rejects with
   * an error naming the file and the tensor; the unit is then left unfetched.
   */
  fetch(module: Module): Promise<void> {
    const parameters = this.units.get(module);
    if (!parameters || this.fetched.has(module)) return Promise.resolve();
    const running = this.pending.get(module);
    if (running) return running;
    const started = performance.now();
    const done = (async () => {
      const values: Tensor[] = [];
      try {
        for (const p of parameters) {
          values.push(keep(await this.upload(p)));
          this.stats.bytesUploaded += bytesOnDevice(numElements(p.record.shape), p.dtype);
        }
      } catch (e) {
        for (const v of values) v.dispose();
        throw e;
      } finally {
        this.pending.delete(module);
      }
      this.fetched.set(
        module,
        parameters.map((p) => p.parameter.value),
      );
      parameters.forEach((p, k) => {
        p.parameter.value = values[k] as Tensor;
      });
      this.stats.fetches++;
      this.stats.fetchSeconds += (performance.now() - started) / 1000;
    })();
    this.pending.set(module, done);
    return done;
  }

  /**
   * Waits for a {@link fetch}, counting as `waitSeconds` the part of the wait the device spent
   * idle. `deviceWork` settles when the device has finished the work submitted before the wait
   * (the device's `sync()`); until then the device is computing, and the host waiting for the
   * upload costs nothing. Without it the whole wait counts.
   */
  async waitFor(fetching: Promise<void>, deviceWork?: Promise<unknown>): Promise<void> {
    const started = performance.now();
    let idleFrom = deviceWork ? Number.POSITIVE_INFINITY : started;
    const idle = () => {
      idleFrom = performance.now();
    };
    deviceWork?.then(idle, idle);
    try {
      await fetching;
    } finally {
      const idleSeconds = (performance.now() - Math.max(started, idleFrom)) / 1000;
      this.stats.waitSeconds += Math.max(0, idleSeconds);
    }
  }

  /**
   * Frees `module`'s uploaded parameters and puts the placeholders back. Safe right after
   * recording kernels that read them: a freed buffer is reused only after the next submit.
   */
  release(module: Module): void {
    const placeholders = this.fetched.get(module);
    if (!placeholders) return;
    const parameters = this.units.get(module) as StreamedParameter[];
    parameters.forEach((p, k) => {
      p.parameter.value.dispose();
      p.parameter.value = placeholders[k] as Tensor;
    });
    this.fetched.delete(module);
  }

  /**
   * The embeddings of token blocks [B, T, D] (f32), from the rows those tokens select, read from
   * the checkpoint on the host: equal, bit for bit, to looking them up in the uploaded table
   * (16-bit values widen exactly; a table held in another dtype than the file's is rounded to it
   * first, as its upload would be).
   */
  async embedBlocks(blocks: readonly (readonly number[])[]): Promise<Tensor> {
    const { record, dtype } = this.embedding;
    const [vocab, hidden] = record.shape as [number, number];
    const rowBytes = record.byteLength / vocab;
    const rows = new Map<number, Float32Array>();
    const length = (blocks[0] as readonly number[]).length;
    const out = new Float32Array(blocks.length * length * hidden);
    let at = 0;
    for (const block of blocks) {
      for (const id of block) {
        if (!Number.isInteger(id) || id < 0 || id >= vocab)
          throw new RangeError(`embedding: token id ${id} is outside 0…${vocab - 1}`);
        let row = rows.get(id);
        if (!row) {
          row = roundedTo(decodeRow(await this.readRow(id, rowBytes), record, hidden), dtype);
          rows.set(id, row);
        }
        out.set(row, at);
        at += hidden;
      }
    }
    return tensor(out, [blocks.length, length, hidden]);
  }

  /** Row `id` of the embedding's bytes; a failed read names the file and the tensor. */
  private async readRow(id: number, rowBytes: number): Promise<Uint8Array> {
    const { record, hfName } = this.embedding;
    try {
      return await record.source.read(record.byteOffset + id * rowBytes, rowBytes);
    } catch (e) {
      throw tensorReadError(e, record.source.name, `${hfName} (row ${id})`);
    }
  }

  /** Releases every fetched unit and closes the checkpoint's files. */
  async close(): Promise<void> {
    for (const module of [...this.fetched.keys()]) this.release(module);
    await this.closeSources();
  }
}

function decodeRow(bytes: Uint8Array, record: TensorRecord, hidden: number): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (record.dtype === 'F32')
    return new Float32Array(
      aligned.buffer.slice(aligned.byteOffset, aligned.byteOffset + hidden * 4),
    );
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, hidden);
  if (record.dtype === 'F16') return f16ToF32(halves);
  if (record.dtype === 'BF16') return bf16ToF32(halves);
  throw new Error(
    `${record.source.name}: tensor ${record.name} has dtype ${record.dtype}; F32, F16 or BF16 expected`,
  );
}

/** `row` as a table held in `dtype` would give it back: rounded to 16 bits and widened again. */
function roundedTo(row: Float32Array, dtype: DType): Float32Array {
  if (dtype === 'f16') return f16ToF32(f32ToF16(row));
  if (dtype === 'bf16') return bf16ToF32(f32ToBf16(row));
  return row;
}
