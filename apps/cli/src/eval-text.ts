import { splitDocuments, type Tokenizer } from '@llm-streamline/llm';

/**
 * The leading documents of `text` that fill at least `blocks` blocks of `blockLength` tokens when
 * packed as packBlocks packs them ([BOS] + ids per document): a prefix of the text gives a prefix
 * of its blocks, so this evaluates the first `blocks` blocks (and at most one document more).
 */
export function leadingDocuments(
  text: string,
  tokenizer: Tokenizer,
  blockLength: number,
  blocks: number,
): string {
  const kept: string[] = [];
  let tokens = 0;
  for (const doc of splitDocuments(text)) {
    if (tokens >= blocks * blockLength) break;
    kept.push(doc);
    tokens += tokenizer.encode(doc, { bos: true, eos: false }).length;
  }
  return kept.join('\n\n');
}
