/**
 * The page's building blocks, shared by every section of report.html: a titled `<section>`, a
 * table from rows of cells, and the cells themselves. Cells take markup: escape text with
 * {@link escapeXml} first.
 */
import { escapeXml } from './chart-kit.js';

/** A `<section id>` with its `<h2>` heading (escaped) and `body` (markup). */
export function section(id: string, heading: string, body: string): string {
  return `<section id="${id}">\n<h2>${escapeXml(heading)}</h2>\n${body}\n</section>`;
}

/** A table from rows of cells (already markup); the first row is the header. */
export function table(rows: string[][], className?: string): string {
  const [head, ...body] = rows;
  const th = (c: string) => `<th scope="col">${c}</th>`;
  return `<div class="scroll"><table${className ? ` class="${className}"` : ''}>
<thead><tr>${(head ?? []).map(th).join('')}</tr></thead>
<tbody>
${body.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}
</tbody>
</table></div>`;
}

/** A data cell of markup. */
export const td = (markup: string, className?: string) =>
  className ? `<td class="${className}">${markup}</td>` : `<td>${markup}</td>`;

/** A row's header cell of text. */
export const rowHeader = (text: string) => `<th scope="row">${escapeXml(text)}</th>`;
