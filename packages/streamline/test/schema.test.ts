/**
 * The shipped JSON Schema describes what the pipeline writes: a real run's report validates, and
 * the schema is strict enough to fail a report with an unknown key, a missing field or a wrong type
 * (so a validation that passes means something).
 */
import { describe, expect, it } from 'vitest';
import { streamline } from '../src/index.js';
import { loadStories260K, storiesParagraphs } from './helpers.js';
import { schemaErrors } from './schema-check.js';

describe('streamline.schema.json', () => {
  it('validates a real run, and refuses what does not fit it', async () => {
    const { model, tokenizer } = await loadStories260K();
    try {
      const { report } = await streamline({
        model,
        tokenizer,
        calibrationText: await storiesParagraphs(0, 10),
        evaluationText: await storiesParagraphs(300, 2),
        target: { layers: 1 },
        replacement: 'ffn',
        blockLength: 32,
        scoringBlocks: 2,
        trainingBlocks: 4,
        validationBlocks: 2,
        batchSize: 2,
        epochs: 1,
        onWarning: () => {},
        provenance: { tool: 'schema.test', version: '1', command: ['prune', '--layers', '1'] },
      });
      expect(schemaErrors(report)).toEqual([]);
      expect(schemaErrors({ ...report, extra: 1 })).toEqual([
        '(root) must NOT have additional properties {"additionalProperty":"extra"}',
      ]);
      const { removedLayers: _, ...missing } = report;
      expect(schemaErrors(missing)[0]).toMatch(/must have required property 'removedLayers'/);
      expect(schemaErrors({ ...report, hyperparameters: { batchSize: 2 } })[0]).toMatch(
        /hyperparameters.*must match pattern/,
      );
      expect(schemaErrors({ ...report, version: 2 })[0]).toMatch(
        /version must be equal to constant/,
      );
    } finally {
      model.dispose();
    }
  }, 300_000);
});
