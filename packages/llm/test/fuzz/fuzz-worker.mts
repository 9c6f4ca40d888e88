/**
 * One chunk of `npm run fuzz` (see packages/llm/scripts/fuzz.mts), in its own process so that an abort (out of memory)
 * or a hang of one mutant is seen by the parent and cannot take the run with it.
 *
 * Usage: fuzz-worker.mts FORMAT FROM TO SEED
 * Prints one JSON line per mutant: `{"start": i}` before it, then its MutantResult; an exception
 * that escapes prints `{"uncaught": message}` and exits 70.
 */
import { getDevice } from '@llm-streamline/tensor';
import { readFixture } from '@llm-streamline/test-utils';
import type { FuzzFormat } from './mutations.js';
import { loadFuzzSeeds, runMutant } from './run-mutant.js';

const [format, from, to, seed] = process.argv.slice(2);
const escaped = (e: unknown) => {
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stdout.write(`${JSON.stringify({ uncaught: message })}\n`);
  process.exit(70);
};
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);

await getDevice();
const seeds = await loadFuzzSeeds(readFixture);
for (let i = Number(from); i < Number(to); i++) {
  process.stdout.write(`${JSON.stringify({ start: i })}\n`);
  const result = await runMutant(seeds, format as FuzzFormat, i, Number(seed));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
