/** The run settings of the form, read and checked in one place. */

export interface RunSettings {
  layers: number;
  replacement: string;
  metric: string;
  blockLength: number;
  scoringBlocks: number;
  trainingBlocks: number;
  validationBlocks: number;
  batchSize: number;
  epochs: number;
  evaluationBlocks: number;
  prompt: string;
  newTokens: number;
}

const INTEGER_FIELDS = {
  layers: 'layers',
  blockLength: 'block-length',
  scoringBlocks: 'scoring-blocks',
  trainingBlocks: 'training-blocks',
  validationBlocks: 'validation-blocks',
  batchSize: 'batch-size',
  epochs: 'epochs',
  evaluationBlocks: 'evaluation-blocks',
  newTokens: 'new-tokens',
} as const;

/** Reads the form; throws naming the field when a number is not a whole number ≥ its minimum. */
export function readSettings(doc: Document): RunSettings {
  const value = (id: string) =>
    (doc.getElementById(id) as HTMLInputElement | HTMLSelectElement).value;
  const ints = {} as Record<keyof typeof INTEGER_FIELDS, number>;
  for (const [key, id] of Object.entries(INTEGER_FIELDS) as [
    keyof typeof INTEGER_FIELDS,
    string,
  ][]) {
    const input = doc.getElementById(id) as HTMLInputElement;
    const n = Number(input.value);
    const min = Number(input.min || '1');
    if (input.value.trim() === '' || !Number.isInteger(n) || n < min) {
      const label = doc.querySelector(`label[for="${id}"]`)?.textContent?.trim() ?? id;
      throw new RangeError(
        `${label}: expected a whole number of at least ${min}, got "${input.value}".`,
      );
    }
    ints[key] = n;
  }
  return {
    ...ints,
    replacement: value('replacement'),
    metric: value('metric'),
    prompt: value('prompt'),
  };
}
