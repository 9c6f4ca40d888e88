/**
 * Renders a run's report again: reads the streamline.json given as argument and writes report.html
 * beside it (what `prune` writes with every run; useful for runs saved without it, or after
 * changing the report's look). From the repository root:
 *
 *   node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx \
 *     packages/report/examples/render-report.ts path/to/streamline.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderReportHtml } from '@llm-streamline/report';
import type { StreamlineReport } from '@llm-streamline/streamline';

const path = process.argv[2];
if (!path) {
  console.error('usage: render-report.ts path/to/streamline.json');
  process.exit(2);
}
const report = JSON.parse(readFileSync(path, 'utf8')) as StreamlineReport;
if ((report.version as number) !== 3 && (report.version as number) !== 2)
  throw new Error(
    `${path}: report format version ${report.version}, this renderer reads versions 2 and 3`,
  );
const out = join(dirname(resolve(path)), 'report.html');
writeFileSync(out, renderReportHtml(report));
console.log(`wrote ${out}`);
