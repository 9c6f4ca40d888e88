/**
 * Writes the token blocks that the perplexity method of tinystories-12L/reference.json scores
 * (heldout.txt → packBlocks(text, tokenizer.json, 256)) as JSON, for heldout_block_nll.py.
 * Usage (from packages/llm): node --conditions=@llm-streamline/source --import tsx \
 *   test/data/dump-heldout-blocks.mts <shared data dir> > /tmp/heldout-blocks.json
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HfTokenizer, packBlocks } from '../../src/index.js';

const data = process.argv[2] ?? '../../../shared/data';
const dir = join(data, 'tinystories-12L');
const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const tokenizer = await HfTokenizer.fromJson(
  json('tokenizer.json'),
  json('tokenizer_config.json'),
  'tokenizer.json',
);
const blocks = packBlocks(readFileSync(join(dir, 'heldout.txt'), 'utf8'), tokenizer, 256);
process.stdout.write(JSON.stringify(blocks));
