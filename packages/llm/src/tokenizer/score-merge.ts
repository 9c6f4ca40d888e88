/**
 * Score-driven BPE merging, as done by SentencePiece's BPE model and by
 * llama2.c's run.c encoder: repeatedly merge the adjacent pair whose
 * concatenation is in the vocabulary with the highest score; among equal
 * scores the leftmost pair wins. run.c rescans all pairs each step (O(n²));
 * this uses a heap ordered by (score desc, left position asc) over a linked
 * list, which performs the very same merges in the same order in O(n log n).
 */

export interface MergeSymbol {
  /** The piece's text (any string the vocabulary lookup understands). */
  piece: string;
  id: number;
  /** Frozen symbols never merge (SentencePiece user-defined symbols). */
  frozen?: boolean;
}

/** Looks up the merge of two pieces: its id and score, or undefined when not allowed. */
export type MergeLookup = (piece: string) => { id: number; score: number } | undefined;

interface Candidate {
  score: number;
  left: number;
  right: number;
  id: number;
  /** Versions of left/right when the candidate was made; stale if changed since. */
  leftVersion: number;
  rightVersion: number;
}

/** Merges symbols in place order and returns the resulting symbols. */
export function mergeByScore(symbols: readonly MergeSymbol[], lookup: MergeLookup): MergeSymbol[] {
  const n = symbols.length;
  const piece = symbols.map((s) => s.piece);
  const id = symbols.map((s) => s.id);
  const frozen = symbols.map((s) => s.frozen === true);
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  const version = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  const heap = new CandidateHeap();

  const consider = (left: number, right: number) => {
    if (left < 0 || right < 0 || frozen[left] || frozen[right]) return;
    const found = lookup((piece[left] as string) + (piece[right] as string));
    if (!found) return;
    heap.push({
      score: found.score,
      left,
      right,
      id: found.id,
      leftVersion: version[left],
      rightVersion: version[right],
    });
  };

  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);
  for (let top = heap.pop(); top; top = heap.pop()) {
    const { left, right } = top;
    const stale =
      !alive[left] ||
      !alive[right] ||
      next[left] !== right ||
      version[left] !== top.leftVersion ||
      version[right] !== top.rightVersion;
    if (stale) continue;
    // Merge `right` into `left`.
    piece[left] = (piece[left] as string) + (piece[right] as string);
    id[left] = top.id;
    version[left] += 1;
    alive[right] = 0;
    const after = next[right];
    next[left] = after;
    if (after >= 0) prev[after] = left;
    consider(prev[left], left);
    consider(left, after);
  }

  const out: MergeSymbol[] = [];
  for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i])
    out.push({ piece: piece[i] as string, id: id[i] as number });
  return out;
}

/** Binary max-heap on (score, then smaller left index). */
class CandidateHeap {
  private items: Candidate[] = [];

  private static before(a: Candidate, b: Candidate): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }

  push(c: Candidate): void {
    const items = this.items;
    items.push(c);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!CandidateHeap.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && CandidateHeap.before(items[l], items[best])) best = l;
        if (r < items.length && CandidateHeap.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}
