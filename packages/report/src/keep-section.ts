/**
 * The report's "Model kept" section: the replaced model against plain removal of the same n layers
 * by the language-model loss on the validation blocks, which one was exported and why, and what to
 * change when the replacement lost (streamline.json's `keep`).
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { escapeXml } from './chart-kit.js';
import { rowHeader, section, table, td } from './html-kit.js';

/** The section, or '' for a report written before the comparison existed. */
export function keepSection(r: StreamlineReport): string {
  const keep = r.keep;
  if (!keep) return '';
  const kept =
    keep.kept === 'replaced' ? `the replaced model (${r.replacement.kind})` : 'plain removal';
  const loss = keep.validationLoss;
  const rows = loss
    ? table(
        [
          ['model', 'validation loss (nats/token)', 'kept'],
          [
            rowHeader('plain removal'),
            td(loss.removal.toFixed(4)),
            td(keep.kept === 'removal' ? 'yes' : ''),
          ],
          [
            rowHeader(`replaced (${r.replacement.kind})`),
            td(loss.replaced.toFixed(4)),
            td(keep.kept === 'replaced' ? 'yes' : ''),
          ],
        ],
        'keep',
      )
    : '';
  const blocks = loss ? ` Compared on ${loss.blocks} validation blocks.` : '';
  const advice = keep.advice
    ? `\n<p class="advice"><strong>What to change:</strong> ${escapeXml(keep.advice)}.</p>`
    : '';
  return section(
    'keep',
    'Model kept',
    `<p>Exported ${escapeXml(kept)} (keep: ${escapeXml(keep.mode)}): ${escapeXml(keep.reason)}.${blocks}</p>
${rows}${advice}`,
  );
}
