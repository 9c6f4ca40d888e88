/**
 * Rebuilds the bundled task assets/tasks/story-endings.jsonl from the bundled held-out stories
 * (assets/tinystories-12L/heldout.txt). Reproducible: running it twice writes the same bytes, and
 * a test checks the committed file equals this output.
 *
 *   npx tsx --conditions=@llm-streamline/source apps/cli/scripts/make-story-endings.mts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { makeStoryEndings } from './story-endings.js';

const assets = fileURLToPath(new URL('../assets/', import.meta.url));
const text = await readFile(`${assets}tinystories-12L/heldout.txt`, 'utf8');
const jsonl = makeStoryEndings(text);
const out = `${assets}tasks/story-endings.jsonl`;
await writeFile(out, jsonl);
console.log(`${out}: ${jsonl.trimEnd().split('\n').length} items`);
