/**
 * saveStreamlined's files and their order, on a report that is not exportable (so no model is
 * read): the tokenizer files, `report.html` when a renderer is given, `streamline.json` last.
 */
import { MemorySink } from '@llm-streamline/llm';
import { describe, expect, it } from 'vitest';
import { type StreamlineReport, type StreamlineResult, saveStreamlined } from '../src/index.js';

/** Only what saveStreamlined reads: the replacement's export and the timings. */
function notExportableRun(): StreamlineResult {
  const report = {
    version: 3,
    replacement: {
      kind: 'linear',
      options: {},
      export: { as: 'not-exportable', reason: 'no decoder layer' },
    },
    secondsPerStage: { training: 1 },
  } as unknown as StreamlineReport;
  return { report, model: undefined } as unknown as StreamlineResult;
}

const extraFiles = new Map([['tokenizer.model', new Uint8Array([1, 2, 3])]]);

describe('saveStreamlined', () => {
  it('writes report.html, rendered from the final report, before streamline.json', async () => {
    const sink = new MemorySink();
    const rendered: StreamlineReport[] = [];
    const renderReport = (report: StreamlineReport) => {
      rendered.push(structuredClone(report));
      return `<p>export took ${report.secondsPerStage.export} s</p>`;
    };
    await saveStreamlined(notExportableRun(), sink, { extraFiles, renderReport });
    expect([...sink.files.keys()]).toEqual(['tokenizer.model', 'report.html', 'streamline.json']);
    const decoder = new TextDecoder();
    const written = JSON.parse(decoder.decode(sink.files.get('streamline.json')));
    expect(written.secondsPerStage.export).toBeGreaterThanOrEqual(0);
    expect(rendered).toEqual([written]);
    expect(decoder.decode(sink.files.get('report.html'))).toBe(
      `<p>export took ${written.secondsPerStage.export} s</p>`,
    );
  });

  it('writes no report.html without a renderer', async () => {
    const sink = new MemorySink();
    const { checkpoint } = await saveStreamlined(notExportableRun(), sink, { extraFiles });
    expect(checkpoint).toBe(false);
    expect([...sink.files.keys()]).toEqual(['tokenizer.model', 'streamline.json']);
  });
});
