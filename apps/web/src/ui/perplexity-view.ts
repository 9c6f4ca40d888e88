/** Perplexity before and after, as bars and as one sentence. */
import { perplexityBarsSvg } from '@llm-streamline/report';
import type { StreamlineReport } from '@llm-streamline/streamline';

export function renderPerplexity(
  holder: HTMLElement,
  caption: HTMLElement,
  report: StreamlineReport,
): void {
  const ppl = report.perplexity;
  if (!ppl) {
    holder.innerHTML = '<p class="note">Evaluation was skipped.</p>';
    caption.textContent = '';
    return;
  }
  holder.innerHTML = perplexityBarsSvg(ppl, report.replacement.kind);
  const f = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(3));
  caption.textContent = `On ${ppl.blocks} blocks of ${ppl.source}: original ${f(ppl.original)}, plain removal ${f(ppl.none)}, ${report.replacement.kind} replacement ${f(ppl.replaced)}.`;
}
