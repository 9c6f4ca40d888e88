/**
 * The "Device memory" section of report.html, for a run loaded under a memory budget
 * (`report.memory`): the plan (resident or streamed, and the sizes it was made from), each
 * stage's planned and measured peak against the budget, and, streamed, what the uploads cost and
 * how much of their time the overlap with compute hid.
 */
import { escapeXml, formatBytes, isFiniteNumber } from './chart-kit.js';
import { rowHeader, section, table, td } from './html-kit.js';
import { type MemoryRecord, memoryPeaksSvg, stagePeakEntries } from './memory-peaks-svg.js';

/** What the uploads of a streamed run cost, from `memory.stream`. */
export interface UploadFigures {
  bytesUploaded: number;
  fetches: number;
  /** Bytes per second while fetching: bytesUploaded / fetchSeconds (undefined without time). */
  bytesPerSecond: number | undefined;
  /**
   * The share of the upload time that compute did not wait for, 1 − waitSeconds / fetchSeconds
   * in [0, 1]: the upload of the next layer ran while the current one computed.
   */
  hiddenShare: number | undefined;
}

/** The upload figures of `memory.stream`, or undefined when nothing was streamed. */
export function uploadFigures(memory: MemoryRecord): UploadFigures | undefined {
  const s = memory.stream;
  if (!s) return undefined;
  const timed = isFiniteNumber(s.fetchSeconds) && s.fetchSeconds > 0;
  return {
    bytesUploaded: s.bytesUploaded,
    fetches: s.fetches,
    bytesPerSecond: timed ? s.bytesUploaded / s.fetchSeconds : undefined,
    hiddenShare:
      timed && isFiniteNumber(s.waitSeconds)
        ? Math.min(1, Math.max(0, 1 - s.waitSeconds / s.fetchSeconds))
        : undefined,
  };
}

/** The section, or '' when the run had no budget (no `memory` in its report). */
export function memorySection(memory: MemoryRecord | undefined): string {
  if (!memory) return '';
  const streamed = memory.mode === 'streamed';
  const budget = formatBytes(memory.budgetBytes);
  const lead = streamed
    ? `The weights (${formatBytes(memory.weightsBytes)}) and one batch's working set did not fit the device memory budget of ${budget}, so the decoder layers and the output head stayed in the checkpoint and were uploaded a layer at a time as each stage walked through them; the rest stayed on the device.`
    : `The weights (${formatBytes(memory.weightsBytes)}) and one batch's working set fit the device memory budget of ${budget}, so the whole model stayed on the device.`;
  const plan: [string, string][] = [
    ['budget', budget],
    ['mode', streamed ? 'streamed' : 'resident'],
    ['weights', formatBytes(memory.weightsBytes)],
    ['resident on the device', formatBytes(memory.residentBytes)],
    ['streamed from the checkpoint', formatBytes(memory.streamedBytes)],
    ['largest layer', formatBytes(memory.largestLayerBytes)],
    [
      'prefetch',
      memory.prefetch
        ? "yes: the next layer's upload overlaps the current layer's compute"
        : 'no: each layer is uploaded when it is needed',
    ],
    ['smallest budget that works', formatBytes(memory.minimumBytes)],
  ];
  return section(
    'memory',
    'Device memory',
    `<p>${escapeXml(lead)}</p>
${table([['plan', 'value'], ...plan.map(([k, v]) => [rowHeader(k), td(escapeXml(v), 'text')])], 'memory')}
${stagesPart(memory)}
${uploadsPart(memory)}`,
  );
}

function stagesPart(memory: MemoryRecord): string {
  const stages = stagePeakEntries(memory);
  if (stages.length === 0) return '<p class="muted">No stage recorded its peak device memory.</p>';
  const ofBudget = (bytes: number | undefined) =>
    bytes !== undefined && isFiniteNumber(memory.budgetBytes) && memory.budgetBytes > 0
      ? `${((100 * bytes) / memory.budgetBytes).toFixed(1)}%`
      : '';
  const rows = stages.map((s) => [
    rowHeader(s.stage),
    td(escapeXml(s.planned === undefined ? '' : formatBytes(s.planned))),
    td(escapeXml(s.measured === undefined ? 'not measured' : formatBytes(s.measured))),
    td(escapeXml(s.measuredLive === undefined ? '' : formatBytes(s.measuredLive))),
    td(escapeXml(ofBudget(s.measured))),
    td(escapeXml(s.batchesPerGroup === undefined ? '' : String(s.batchesPerGroup))),
  ]);
  return `<figure>
${memoryPeaksSvg(memory, { xmlns: false })}
<figcaption>Peak bytes each stage held on the device: as planned, and as measured (live, pooled and parked buffers), against the budget (dashed).</figcaption>
</figure>
<p>The measured peak counts every buffer the device held, including those kept for reuse, which under a budget may fill it; the live peak counts tensors in use alone, which is what the plan estimates.</p>
${table([['stage', 'planned peak', 'measured peak', 'of which live', 'measured / budget', 'batches per group'], ...rows], 'memory-stages')}`;
}

function uploadsPart(memory: MemoryRecord): string {
  const u = uploadFigures(memory);
  if (!u) return '';
  const rows: [string, string][] = [
    ['bytes uploaded', formatBytes(u.bytesUploaded)],
    ['fetches (layers and the head)', String(u.fetches)],
    ['bandwidth', u.bytesPerSecond === undefined ? 'n/a' : `${formatBytes(u.bytesPerSecond)}/s`],
    [
      'upload time hidden by the overlap with compute',
      u.hiddenShare === undefined ? 'n/a' : `${(100 * u.hiddenShare).toFixed(0)}%`,
    ],
  ];
  return `<p>Streaming cost: every group of batches fetched the layers again. The bandwidth is the bytes uploaded over the time spent fetching (reading the checkpoint and uploading); the hidden share is the part of that time compute did not wait for.</p>
${table([['upload', 'value'], ...rows.map(([k, v]) => [rowHeader(k), td(escapeXml(v))])], 'memory-stream')}`;
}
