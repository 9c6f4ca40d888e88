/**
 * @llm-streamline/llm/node — Node-only entry point: files on disk. Browsers use the main entry
 * with File/Blob sources.
 */
export { openFileByteSource } from './io/node-byte-source.js';
export { withPath } from './io/node-error-path.js';
export { nodeModelDirectory } from './io/node-model-directory.js';
export {
  createOwnedFolder,
  registerTemporaryPath,
  releaseTemporaryPath,
  removeOwnedFolder,
  removeStaleOwnedFolders,
  removeTemporaryPathsSync,
  temporaryPaths,
} from './io/node-owned-folders.js';
export type { CheckpointHeaders } from './load/node-checkpoint-headers.js';
export { readCheckpointHeaders } from './load/node-checkpoint-headers.js';
export { loadModelFromPath } from './load/node-load.js';
export { detectModelFormat } from './load/node-model-format.js';
export { DirectorySink } from './save/node-directory-sink.js';
export { FileSink } from './save/node-file-sink.js';
