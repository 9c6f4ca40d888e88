/**
 * Tokenizer files of a Hugging Face model folder, copied beside a pruned checkpoint when present so
 * the output loads on its own (runToDirectory in Node, the web app's download in browsers).
 */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer.model',
  'tokenizer_config.json',
  'special_tokens_map.json',
] as const;
