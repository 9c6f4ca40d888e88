/**
 * The bundled task assets/tasks/story-endings.jsonl is exactly what scripts/make-story-endings.mts
 * writes from the bundled held-out stories (so it can be rebuilt, and is not edited by hand), and
 * it is a well-formed task: ≥ 200 items, each true ending the gold choice among four distinct ones.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTaskFile, splitDocuments } from '@llm-streamline/llm';
import { describe, expect, it } from 'vitest';
import { makeStoryEndings } from '../scripts/story-endings.js';
import { ASSETS, HELDOUT } from './helpers.js';

const TASK = join(ASSETS, 'tasks/story-endings.jsonl');

describe('bundled story-endings task', () => {
  it('equals the script output, byte for byte', async () => {
    const heldout = await readFile(HELDOUT, 'utf8');
    expect(await readFile(TASK, 'utf8')).toBe(makeStoryEndings(heldout));
    // Another seed gives another file: the seed is what makes it reproducible.
    expect(makeStoryEndings(heldout, 17)).not.toBe(makeStoryEndings(heldout));
  });

  it('has ≥ 200 items of four distinct endings, the gold one ending its own paragraph', async () => {
    const task = parseTaskFile(await readFile(TASK, 'utf8'), TASK);
    expect(task.format).toBe('generic');
    expect(task.items.length).toBeGreaterThanOrEqual(200);
    const paragraphs = splitDocuments(await readFile(HELDOUT, 'utf8')).map((p) =>
      p.replace(/\s+/g, ' '),
    );
    for (const item of task.items) {
      const choices = item.requests.map((r) => r.continuation);
      expect(new Set(choices).size).toBe(4);
      const context = item.requests[0]?.context as string;
      const story = `${context}${choices[item.gold]}`;
      expect(paragraphs).toContain(story);
    }
    // The gold position is spread over all four places.
    const golds = new Set(task.items.map((i) => i.gold));
    expect(golds).toEqual(new Set([0, 1, 2, 3]));
  });
});
