/** @llm-streamline/streamline/node — Node-only helpers: pairs spilled to a temporary file. */
export { FilePairStorage } from './training/node-file-pair-storage.js';
