/**
 * Seeded fuzz of the three checkpoint loaders (safetensors, GGUF, llama2.c): 300 mutants per
 * format, by class (see fuzz/mutations.ts). Each must load and give finite logits on a short
 * input, or fail with a one-line error naming the file; non-finite logits must be stopped by the
 * perplexity check. `npm run fuzz -- --count N` runs the long version, a child process per chunk
 * so that aborts and hangs are caught too.
 */
import { readFixture, testRuntime } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FuzzFormat } from './fuzz/mutations.js';
import {
  FAILURE_OUTCOMES,
  FUZZ_FORMATS,
  type FuzzSeeds,
  loadFuzzSeeds,
  type MutantResult,
  runMutant,
} from './fuzz/run-mutant.js';

const MUTANTS_PER_FORMAT = 300;
const RUN_SEED = 2026;
/** A mutant taking longer than this counts as a hang (the seeds load in well under a second). */
const HANG_MS = 20_000;

let seeds: FuzzSeeds;

beforeAll(async () => {
  if (testRuntime === 'node') seeds = await loadFuzzSeeds(readFixture);
}, 60_000);

async function withinTime(format: FuzzFormat, index: number): Promise<MutantResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<MutantResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ format, index, mutation: '?', outcome: 'hang', detail: `over ${HANG_MS} ms` }),
      HANG_MS,
    );
  });
  try {
    return await Promise.race([runMutant(seeds, format, index, RUN_SEED), hang]);
  } finally {
    clearTimeout(timer);
  }
}

// The parsers and loaders are the same code in Chromium; the run is long enough to do once, in Node.
describe.skipIf(testRuntime !== 'node')(
  'fuzzed checkpoints load with finite logits or fail naming the file',
  () => {
    for (const format of FUZZ_FORMATS) {
      it(`${MUTANTS_PER_FORMAT} ${format} mutants`, async () => {
        const results: MutantResult[] = [];
        for (let i = 0; i < MUTANTS_PER_FORMAT; i++) results.push(await withinTime(format, i));
        const failures = results
          .filter((r) => FAILURE_OUTCOMES.includes(r.outcome))
          .map((r) => `#${r.index} ${r.mutation}: ${r.outcome} ${r.detail?.slice(0, 300)}`);
        expect(failures).toEqual([]);
        // The run must exercise both ways out: mutants that load, and each class rejected somewhere.
        expect(results.some((r) => r.outcome === 'loaded-finite')).toBe(true);
        const rejectedClasses = new Set(
          results.filter((r) => r.outcome.startsWith('rejected')).map((r) => r.mutation),
        );
        expect(rejectedClasses.size).toBeGreaterThanOrEqual(5);
      }, 300_000);
    }
  },
);
