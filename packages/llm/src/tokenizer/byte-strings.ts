/**
 * "Binary strings": one UTF-16 code unit per byte (latin1). Vocabulary
 * pieces of llama2.c tokenizers are raw bytes that need not be valid UTF-8,
 * and run.c compares them byte for byte; keying maps by binary strings gives
 * exactly that, and concatenating two keys concatenates the bytes.
 */

export function bytesToBinaryString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

export function binaryStringToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Parses a byte-fallback piece `<0xAB>`; returns the byte or undefined. */
export function parseBytePiece(piece: string): number | undefined {
  const match = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
  return match ? Number.parseInt(match[1] as string, 16) : undefined;
}
