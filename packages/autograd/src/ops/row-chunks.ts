import * as T from '@llm-streamline/tensor';

/**
 * Folds `step` over the rows 0…total−1 taken `chunkRows` at a time (the last chunk may be
 * shorter), for ops that must never hold a tensor of every row at once. Each step runs in its own
 * scope, so everything it makes but does not return is freed before the next chunk starts; what
 * it returns is the accumulator handed to the next step (the previous one is then freed). Returns
 * the last accumulator (undefined when `total` is 0 or no step returned one).
 *
 * The device's command batch is submitted after every chunk: freed buffers only become reusable
 * after a submit (see BufferPool.release), so without it every chunk of a batch (up to 64
 * dispatches) would get fresh buffers and device memory would again grow with the row count.
 */
export function foldRowChunks(
  device: T.Device,
  total: number,
  chunkRows: number,
  step: (start: number, rows: number, acc: T.Tensor | undefined) => T.Tensor | undefined,
): T.Tensor | undefined {
  let acc: T.Tensor | undefined;
  for (let start = 0; start < total; start += chunkRows) {
    const rows = Math.min(chunkRows, total - start);
    const next = T.scope(() => step(start, rows, acc));
    if (acc && next !== acc) acc.dispose();
    acc = next;
    device.batch.flush();
  }
  return acc;
}
