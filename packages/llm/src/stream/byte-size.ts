/**
 * Memory sizes as people write them: `64MiB`, `1.5GiB`, `512MB`, `1073741824`. Binary units
 * (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (KB, MB, GB, TB) powers of 1000, as in
 * IEC 80000-13; a bare number is bytes. One parser for the CLI's `--device-memory` and the web
 * app's setting.
 */

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/** Bytes of `text`, or a RangeError naming `what`, what was given and what is accepted. */
export function parseByteSize(text: string, what = 'size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] || 'b').toLowerCase()];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new RangeError(
      `${what} must be a positive size such as 64MiB, 1.5GiB or 512MB (KiB/MiB/GiB/TiB are powers of 1024, KB/MB/GB/TB of 1000, a bare number is bytes); got '${text}'`,
    );
  return bytes;
}

/** `bytes` in the largest binary unit that keeps it at least 1: `64.0 MiB`, `1.50 GiB`. */
export function formatByteSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let k = 0;
  while (value >= 1024 && k < units.length - 1) {
    value /= 1024;
    k++;
  }
  if (k === 0) return `${bytes} bytes`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[k]}`;
}
