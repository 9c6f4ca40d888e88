/**
 * Minimal protocol-buffers wire-format reader: just enough to walk the
 * fields of a SentencePiece ModelProto without a protobuf dependency.
 */

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export interface ProtoField {
  field: number;
  wireType: WireType;
  /** Varint value, exact. */
  varint?: bigint;
  /** Payload of length-delimited fields. */
  bytes?: Uint8Array;
  /** Raw 4 or 8 bytes of fixed-width fields. */
  fixed?: DataView;
}

/** Iterates over the top-level fields of a message. `what` names it in errors. */
export function* readProtoFields(bytes: Uint8Array, what: string): Generator<ProtoField> {
  let at = 0;
  const fail = (message: string): never => {
    throw new Error(`${what}: malformed protobuf at byte ${at}: ${message}`);
  };
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) fail('truncated varint');
      const b = bytes[at++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    return fail('varint longer than 10 bytes');
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n) as WireType;
    if (field === 0) fail('field number 0');
    switch (wireType) {
      case WireType.Varint:
        yield { field, wireType, varint: varint() };
        break;
      case WireType.Fixed64:
      case WireType.Fixed32: {
        const size = wireType === WireType.Fixed64 ? 8 : 4;
        if (at + size > bytes.length) fail(`truncated fixed${size * 8} field ${field}`);
        yield { field, wireType, fixed: new DataView(bytes.buffer, bytes.byteOffset + at, size) };
        at += size;
        break;
      }
      case WireType.LengthDelimited: {
        const length = Number(varint());
        if (at + length > bytes.length)
          fail(`field ${field} claims ${length} bytes, only ${bytes.length - at} remain`);
        yield { field, wireType, bytes: bytes.subarray(at, at + length) };
        at += length;
        break;
      }
      default:
        fail(`unsupported wire type ${wireType} (field ${field})`);
    }
  }
}

const utf8 = new TextDecoder('utf-8');

/** Field payload as a string (length-delimited fields). */
export function protoString(f: ProtoField): string {
  return utf8.decode(f.bytes ?? new Uint8Array(0));
}

/** Field value as a float (fixed32). */
export function protoFloat(f: ProtoField): number {
  return f.fixed ? f.fixed.getFloat32(0, true) : 0;
}

/** Field value as an int32 (varint; negative numbers are encoded as 10-byte two's complement). */
export function protoInt32(f: ProtoField): number {
  return Number(BigInt.asIntN(32, f.varint ?? 0n));
}

/** Field value as a bool (varint). */
export function protoBool(f: ProtoField): boolean {
  return (f.varint ?? 0n) !== 0n;
}
