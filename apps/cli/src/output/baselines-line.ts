/**
 * One line of `prune`'s summary on the other methods for the same n (streamline.json's
 * `baselines`): which layers each removes and its perplexity, beside LLM-Streamline's figures.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';

const NAMES: Record<string, string> = { 'short-gpt': 'ShortGPT', 'ppl-window': 'ppl window' };

/** `same n by other methods: ShortGPT removes layers 2, 5 (perplexity 6.120); …`, or undefined. */
export function baselinesLine(r: StreamlineReport): string | undefined {
  if (!r.baselines?.length) return undefined;
  const parts = r.baselines.map(
    (b) =>
      `${NAMES[b.method] ?? b.method} removes layer${b.layers.length === 1 ? '' : 's'} ${b.layers.join(', ')}` +
      (b.perplexity === undefined ? '' : ` (perplexity ${b.perplexity.toFixed(3)})`),
  );
  return `same n by other methods: ${parts.join('; ')}`;
}
