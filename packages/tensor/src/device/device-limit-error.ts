/**
 * Thrown when a tensor does not fit the adapter: a buffer over `maxBufferSize`, a binding over
 * `maxStorageBufferBindingSize`, or an allocation the driver refused (out of memory). The message
 * names the tensor, the bytes it needs and the limit, and says what to change; the fields carry
 * the same facts for programs (the CLI shows it as a device problem, never as a corrupt file).
 */

/** Which tensor did not fit, as far as the code that hit the limit knows it. */
export interface TensorDescription {
  shape?: readonly number[];
  dtype?: string;
  /** The op or kernel that needed it. */
  op?: string;
  /** The parameter or checkpoint tensor name, where known. */
  name?: string;
}

/** The adapter limit that was hit; `out-of-memory` when the driver refused an allocation. */
export type DeviceLimit = 'maxBufferSize' | 'maxStorageBufferBindingSize' | 'out-of-memory';

export interface DeviceLimitFacts {
  limit: DeviceLimit;
  /** Bytes the buffer or binding needs. */
  bytes: number;
  /** The limit's value in bytes (for out-of-memory: the bytes already in use on the device). */
  limitBytes: number;
  tensor: TensorDescription;
  /** The adapter, in words (vendor, architecture). */
  adapter: string;
  /** What the driver said, when it refused an allocation. */
  driverMessage?: string;
  /** Why the op needed this much, when it is not plain (e.g. the smallest chunk it could bind). */
  detail?: string;
}

export class DeviceLimitError extends Error {
  readonly limit: DeviceLimit;
  readonly bytes: number;
  readonly limitBytes: number;
  readonly tensor: TensorDescription;
  readonly adapter: string;
  readonly driverMessage: string | undefined;
  readonly detail: string | undefined;

  /** The first line of the message: what did not fit, where, and the numbers. */
  readonly summary: string;
  /** The rest: what to change so that it fits. */
  readonly hint: string;

  constructor(facts: DeviceLimitFacts) {
    const { summary, hint } = describeFailure(facts);
    super(`${summary}\n${hint}`);
    this.summary = summary;
    this.hint = hint;
    this.name = 'DeviceLimitError';
    this.limit = facts.limit;
    this.bytes = facts.bytes;
    this.limitBytes = facts.limitBytes;
    this.tensor = facts.tensor;
    this.adapter = facts.adapter;
    this.driverMessage = facts.driverMessage;
    this.detail = facts.detail;
  }

  /** The same error with more about the tensor (e.g. the parameter name a loader knows). */
  describing(more: TensorDescription): DeviceLimitError {
    return new DeviceLimitError({
      limit: this.limit,
      bytes: this.bytes,
      limitBytes: this.limitBytes,
      adapter: this.adapter,
      driverMessage: this.driverMessage,
      detail: this.detail,
      tensor: { ...this.tensor, ...dropUndefined(more) },
    });
  }
}

/** `e` with `more` added when it is a {@link DeviceLimitError}; any other value unchanged. */
export function describeDeviceLimitError(e: unknown, more: TensorDescription): unknown {
  return e instanceof DeviceLimitError ? e.describing(more) : e;
}

/** `1050673152 bytes (1002.0 MiB)`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = '';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit === '' ? `${bytes} bytes` : `${bytes} bytes (${value.toFixed(1)} ${unit})`;
}

function describeTensor({ shape, dtype, op, name }: TensorDescription): string {
  const what = [
    name === undefined ? 'a tensor' : `tensor '${name}'`,
    dtype !== undefined || shape !== undefined
      ? `${dtype ?? ''}${shape ? `[${shape.join(', ')}]` : ''}`
      : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return op === undefined ? what : `${what} (in ${op})`;
}

function describeFailure(f: DeviceLimitFacts): { summary: string; hint: string } {
  const what = describeTensor(f.tensor);
  const first =
    f.limit === 'maxStorageBufferBindingSize'
      ? `${capitalize(what)} needs a binding of ${formatBytes(f.bytes)}, over the adapter's maxStorageBufferBindingSize of ${formatBytes(f.limitBytes)}`
      : f.limit === 'maxBufferSize'
        ? `${capitalize(what)} needs a buffer of ${formatBytes(f.bytes)}, over the adapter's maxBufferSize of ${formatBytes(f.limitBytes)}`
        : `The adapter ran out of memory allocating ${formatBytes(f.bytes)} for ${what}, with ${formatBytes(f.limitBytes)} already in use`;
  const why = f.detail === undefined ? '' : `: ${f.detail}`;
  return {
    summary: `${first}${why} (${f.adapter}${f.driverMessage ? `: ${f.driverMessage.split('\n')[0]}` : ''}).`,
    hint:
      'To make it fit: use a smaller batch or sequence length (activations) or a smaller model (weights); ' +
      `${LIMIT_HINTS[f.limit]}free tensors you no longer need (dispose, scope); or use an adapter with larger limits (${otherAdapters(f.adapter)}).`,
  };
}

/** What to change that only one kind of limit calls for (each ends with '; ' or is empty). */
const LIMIT_HINTS: Record<DeviceLimit, string> = {
  // A buffer is never split: one tensor must fit one buffer.
  maxBufferSize: 'keep large weights in a 16-bit dtype (f16 storage: half the bytes of f32); ',
  // matmul and embedding bind a large tensor in row chunks; every other op binds its tensors whole.
  maxStorageBufferBindingSize:
    'only matmul and embedding read a tensor over this limit (in row chunks): give other ops smaller tensors; ',
  'out-of-memory': '',
};

function otherAdapters(adapter: string): string {
  return /swiftshader/i.test(adapter)
    ? 'a real GPU'
    : 'a real GPU, or in Node LLMS_ADAPTER=swiftshader: buffers and bindings up to 1 GiB';
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function dropUndefined(d: TensorDescription): TensorDescription {
  return Object.fromEntries(
    Object.entries(d).filter(([, v]) => v !== undefined),
  ) as TensorDescription;
}
