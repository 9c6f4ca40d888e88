/**
 * The bundled multiple-choice task, "story endings": from each held-out story paragraph of at
 * least three sentences, the context is every sentence but the last, and the choices are its true
 * last sentence and the last sentences of three other paragraphs, in a seeded random order. A
 * model that follows the story (names, objects, what just happened) prefers the true ending. The
 * wrong endings are drawn from those closest in length to the true one: with endings of any
 * length, a short one ("The end.") wins on summed log-likelihood whatever the story, and acc would
 * measure length rather than understanding.
 * Pure: the same text and seed give the same bytes (make-story-endings.mts writes them).
 */
import { splitDocuments, Xorshift64Star } from '@llm-streamline/llm';

/** The seed the bundled file was made with. */
export const STORY_ENDINGS_SEED = 16;
/** Wrong endings per item. */
const DISTRACTORS = 3;
/** Wrong endings are drawn from this many other endings nearest in length to the true one. */
const NEAREST = 12;
/** Sentences a paragraph needs: two of context at least, and the ending. */
const MIN_SENTENCES = 3;

/** Sentence boundaries: after . ! or ? (and a closing quote), before the next sentence's start. */
const SENTENCE_END = /(?<=[.!?]["”']?)\s+(?=["“]?[A-Z])/u;

interface Story {
  context: string;
  ending: string;
}

/** The task as JSONL text: one `{context, choices, gold}` per eligible paragraph of `text`. */
export function makeStoryEndings(text: string, seed = STORY_ENDINGS_SEED): string {
  const stories: Story[] = [];
  for (const doc of splitDocuments(text)) {
    const sentences = doc.replace(/\s+/g, ' ').split(SENTENCE_END);
    if (sentences.length < MIN_SENTENCES) continue;
    const ending = sentences.pop() as string;
    stories.push({ context: sentences.join(' '), ending });
  }
  const endings = stories.map((s) => s.ending);
  const random = new Xorshift64Star(seed);
  const pick = (n: number) => random.nextU32() % n;
  const lines = stories.map((story) => {
    const others = [...new Set(endings)].filter((e) => e !== story.ending);
    // Nearest in length first; ties in the endings' order, so the order is fully determined.
    const nearest = others
      .map((e, k) => ({ e, k, gap: Math.abs(e.length - story.ending.length) }))
      .sort((a, b) => a.gap - b.gap || a.k - b.k)
      .slice(0, NEAREST)
      .map((x) => x.e);
    const wrong: string[] = [];
    while (wrong.length < DISTRACTORS) {
      const e = nearest[pick(nearest.length)] as string;
      if (!wrong.includes(e)) wrong.push(e);
    }
    const gold = pick(DISTRACTORS + 1);
    const choices = [...wrong.slice(0, gold), story.ending, ...wrong.slice(gold)];
    return JSON.stringify({ context: story.context, choices, gold });
  });
  return `${lines.join('\n')}\n`;
}
