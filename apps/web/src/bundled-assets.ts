/**
 * The bundled models and texts: the files committed under apps/cli/assets, served beside the app
 * (vite.config.ts). They are fetched into Blobs and handed to the same code a user's picked files
 * go through.
 */
import { classifyModelFiles, type ModelInput } from './model-input.js';

export type BundledModelId = 'stories260K' | 'tinystories-12L';

const BUNDLED_MODELS: Record<BundledModelId, readonly string[]> = {
  stories260K: ['stories260K.bin', 'tok512.bin', 'tok512.model'],
  'tinystories-12L': [
    'config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer.model',
    'tokenizer_config.json',
  ],
};

/** Calibration text: TinyStories validation stories with the held-out paragraphs removed. */
export const BUNDLED_CALIBRATION = 'text/tinystories-calibration.txt';
/** Held-out text of tinystories-12L, disjoint from the calibration text. */
export const BUNDLED_EVALUATION = 'tinystories-12L/heldout.txt';
/** The bundled multiple-choice task: true story endings against endings of other stories. */
export const BUNDLED_TASK = 'tasks/story-endings.jsonl';

/** Fetches a file served beside the app; throws naming it when the server does not have it. */
export async function fetchAsset(path: string): Promise<Blob> {
  const url = new URL(path, document.baseURI);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`${path}: the app's server answered ${response.status} ${response.statusText}`);
  return response.blob();
}

/** A bundled model as the same ModelInput a user's pick gives. */
export async function bundledModel(id: BundledModelId): Promise<ModelInput> {
  const files = new Map<string, Blob>();
  // Named Files, as a picker gives them: the name appears in the loaders' error messages.
  for (const name of BUNDLED_MODELS[id])
    files.set(name, new File([await fetchAsset(`${id}/${name}`)], name));
  return classifyModelFiles(files, id);
}
