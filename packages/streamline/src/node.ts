/**
 * @llm-streamline/streamline/node — Node-only helpers: pairs spilled to a temporary file, and a
 * whole run written atomically into a folder (what the CLI uses).
 */

export type { RunToDirectoryOptions, RunToDirectoryResult } from './export/run-to-directory.js';
export { runToDirectory } from './export/run-to-directory.js';
export { TOKENIZER_FILES } from './export/tokenizer-files.js';
export { FilePairStorage } from './training/node-file-pair-storage.js';
