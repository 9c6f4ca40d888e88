/**
 * A Hugging Face Hub id typed into the model panel: the same files the CLI fetches (config,
 * safetensors or a single .gguf, tokenizer), downloaded with `@huggingface/hub` into Blobs and
 * handed to the code a picked folder goes through.
 *
 * No Cache API: the browser's HTTP cache already keeps what the Hub lets it, and storing
 * gigabytes of weights per origin would run into storage quotas with no way for the user to
 * share them with Python or the CLI; the CLI's on-disk cache is the one to use for big models.
 */
import { downloadFile, HubApiError, modelInfo } from '@huggingface/hub';
import {
  HUB_ID_HINT,
  HUB_TOKENIZER_FILES,
  type HubId,
  indexShards,
  parseHubId,
  planWeights,
  SAFETENSORS_INDEX,
} from '@llm-streamline/llm';
import { classifyModelFiles, type ModelInput } from './model-input.js';

/** Where the Hub is, who asks, and where progress goes. */
export interface HubFetchOptions {
  /** Default https://huggingface.co; `?hf-endpoint=URL` in the page's address sets another. */
  endpoint?: string;
  /** A read token (hf_…), for gated and private models. */
  token?: string;
  /** Bytes of `path` received so far, of its size. */
  onProgress?: (path: string, doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/** The model `text` names on the Hub, as a {@link ModelInput}; throws saying what to do. */
export async function fetchHubModelInput(
  text: string,
  options: HubFetchOptions = {},
): Promise<ModelInput> {
  const id = parseHubId(text.trim());
  if ('error' in id)
    throw new Error(
      `"${text.trim()}" is not a Hugging Face model id: ${id.error}. ${capitalised(HUB_ID_HINT)}.`,
    );
  const endpoint = (options.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '');
  const token = options.token?.trim() || undefined;
  if (token !== undefined && !token.startsWith('hf_'))
    throw new Error(
      'The access token must start with "hf_": copy one from https://huggingface.co/settings/tokens.',
    );
  const common = {
    hubUrl: endpoint,
    ...(token !== undefined ? { accessToken: token } : {}),
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, { ...init, ...(options.signal ? { signal: options.signal } : {}) }),
  };
  const explain = (e: unknown) => explainHubError(e, id, endpoint, token !== undefined);
  const info = await modelInfo({
    ...common,
    name: id.repo,
    revision: id.revision,
    additionalFields: ['sha', 'filePaths'],
  }).catch((e: unknown) => {
    throw explain(e);
  });
  const plan = planWeights(info.filePaths);
  if (plan.kind === 'none')
    throw new Error(`${id.repo} ${plan.reason}: this app reads safetensors and GGUF models.`);
  const files = new Map<string, Blob>();
  const fetchAll = async (paths: string[]) => {
    for (const path of paths) {
      if (files.has(path)) continue;
      const blob = await downloadFile({ ...common, repo: id.repo, path, revision: info.sha }).catch(
        (e: unknown) => {
          throw explain(e);
        },
      );
      if (!blob)
        throw new Error(
          `${id.repo}: the Hub lists ${path} but does not serve it; try again later.`,
        );
      files.set(path, await readWithProgress(blob, path, options.onProgress));
    }
  };
  if (plan.kind === 'gguf') await fetchAll([plan.file]);
  else {
    const tokenizer = HUB_TOKENIZER_FILES.filter((f) => info.filePaths.includes(f));
    await fetchAll([
      'config.json',
      ...tokenizer,
      ...(plan.kind === 'safetensors-index' ? [SAFETENSORS_INDEX] : plan.files),
    ]);
    if (plan.kind === 'safetensors-index') {
      const index = files.get(SAFETENSORS_INDEX) as Blob;
      await fetchAll(indexShards(await index.text(), `${id.repo}: ${SAFETENSORS_INDEX}`));
    }
  }
  return classifyModelFiles(files, id.repo);
}

/** The whole of `blob` in memory, as a named File (loaders name the file in their errors). */
async function readWithProgress(
  blob: Blob,
  path: string,
  onProgress: HubFetchOptions['onProgress'],
): Promise<File> {
  const chunks: Uint8Array[] = [];
  let doneBytes = 0;
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    doneBytes += value.byteLength;
    onProgress?.(path, doneBytes, blob.size);
  }
  if (doneBytes !== blob.size)
    throw new Error(
      `${path}: the download broke off at ${doneBytes} of ${blob.size} bytes; fetch it again.`,
    );
  return new File(chunks as BlobPart[], path.split('/').pop() ?? path);
}

/** A library error as a sentence that says what to do. */
function explainHubError(e: unknown, id: HubId, endpoint: string, hasToken: boolean): Error {
  if (!(e instanceof HubApiError)) {
    if (e instanceof Error && e.name === 'AbortError') return e;
    return new Error(
      `${id.repo}: cannot reach ${endpoint} (${e instanceof Error ? e.message : String(e)}); check the connection.`,
    );
  }
  const code = (e.data as { error?: string } | undefined)?.error ?? '';
  if (e.statusCode === 401 || e.statusCode === 403)
    return new Error(
      hasToken
        ? `${id.repo} is gated or private, and this token has no access: accept the licence at ${endpoint}/${id.repo}.`
        : `${id.repo} is gated or private: accept its licence at ${endpoint}/${id.repo}, then give a read token (hf_…) of that account.`,
    );
  if (e.statusCode === 404 && id.explicitRevision && /rev/i.test(code))
    return new Error(
      `${id.repo}: revision "${id.revision}" does not exist; give a branch, tag or commit, or leave out @${id.revision}.`,
    );
  if (e.statusCode === 404)
    return new Error(`${id.repo}: no such model on ${endpoint}; check the id's spelling.`);
  return new Error(`${id.repo}: the Hub answered HTTP ${e.statusCode}; try again later.`);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
