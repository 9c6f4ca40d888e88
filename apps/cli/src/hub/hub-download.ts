/**
 * Fetching a Hub model into the shared Hugging Face cache with `@huggingface/hub`'s own
 * cache-aware download (`downloadFileToCacheDir`: blob under a `.incomplete` name, renamed when
 * whole, symlinked from the snapshot), plus what the CLI needs around it: only the needed files, a
 * byte progress bar, a size and sha256 check of each new blob, no partial file left behind, the
 * cache when offline, and errors that say what to do.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  downloadFileToCacheDir,
  HubApiError,
  modelInfo,
  type PathInfo,
  pathsInfo,
} from '@huggingface/hub';
import type { HubId } from '@llm-streamline/llm';
import {
  HUB_TOKENIZER_FILES,
  indexShards,
  planWeights,
  SAFETENSORS_INDEX,
} from '@llm-streamline/llm';
import { CliError } from '../errors.js';
import { cachedModel, refPath, repoCacheFolder } from './hub-cache.js';
import type { HubSettings } from './hub-settings.js';

const PROGRESS_INTERVAL_MS = 200;

/** Where a download reports to. */
export interface HubDownloadOptions {
  /** Bytes fetched so far of the total still missing from the cache. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** A line for the user (using the cache because the Hub is unreachable). */
  onNote?: (message: string) => void;
  signal?: AbortSignal;
}

/**
 * The local path of model `id` (a snapshot folder, or its single .gguf), fetching what the cache
 * lacks. Throws a {@link CliError} saying what to do when it cannot.
 */
export async function fetchHubModel(
  id: HubId,
  settings: HubSettings,
  options: HubDownloadOptions = {},
): Promise<string> {
  const name = `${id.repo}@${id.revision}`;
  if (settings.offline) {
    const cached = await cachedModel(settings.cacheDir, id);
    if (cached) return cached;
    throw new CliError(
      `${name}: HF_HUB_OFFLINE is set and the model is not (completely) in the cache ${settings.cacheDir}`,
      'unset HF_HUB_OFFLINE to download it, or set HF_HUB_CACHE/HF_HOME to where it was downloaded',
    );
  }
  if (settings.token !== undefined && !settings.token.startsWith('hf_'))
    throw new CliError(
      'HF_TOKEN does not start with "hf_"',
      'copy a token from https://huggingface.co/settings/tokens',
    );
  const hub = new HubClient(id, settings, options);

  let info: { sha: string; filePaths: string[] };
  try {
    info = await modelInfo({
      ...hub.params(),
      name: id.repo,
      revision: id.revision,
      additionalFields: ['sha', 'filePaths'],
    });
  } catch (e) {
    if (!isNetworkError(e)) throw hub.explain(e);
    const cached = await cachedModel(settings.cacheDir, id);
    if (!cached) throw hub.explain(e);
    options.onNote?.(`${settings.endpoint} is unreachable: using the cached ${name}`);
    return cached;
  }
  const commit = info.sha;
  if (commit !== id.revision) {
    const ref = refPath(settings.cacheDir, id.repo, id.revision);
    await mkdir(dirname(ref), { recursive: true });
    await writeFile(ref, commit);
  }
  const snapshot = join(repoCacheFolder(settings.cacheDir, id.repo), 'snapshots', commit);
  const plan = planWeights(info.filePaths);
  if (plan.kind === 'none')
    throw new CliError(
      `${name} ${plan.reason}`,
      plan.reason.includes('.gguf')
        ? `download the one you want (huggingface-cli download ${id.repo} FILE) and give its path as MODEL`
        : 'this tool reads safetensors, GGUF and llama2.c checkpoints; convert the model first',
    );
  if (plan.kind === 'gguf') {
    await hub.download(commit, [plan.file]);
    return join(snapshot, plan.file);
  }
  if (!info.filePaths.includes('config.json'))
    throw new CliError(
      `${name} has no config.json`,
      'a Hugging Face model folder needs one beside its weights',
    );
  const tokenizer = HUB_TOKENIZER_FILES.filter((f) => info.filePaths.includes(f));
  let weights = plan.files;
  if (plan.kind === 'safetensors-index') {
    await hub.download(commit, ['config.json', ...tokenizer, SAFETENSORS_INDEX]);
    const indexPath = join(snapshot, SAFETENSORS_INDEX);
    try {
      weights = indexShards(await readFile(indexPath, 'utf8'), `${name}: ${SAFETENSORS_INDEX}`);
    } catch (e) {
      throw new CliError((e as Error).message, 'the repository is damaged; report it to its owner');
    }
  }
  await hub.download(commit, ['config.json', ...tokenizer, ...weights]);
  return snapshot;
}

/** The library calls for one model, with the settings, progress counting and error translation. */
class HubClient {
  private lastErrorCode: string | undefined;
  private doneBytes = 0;
  private totalBytes = 0;

  constructor(
    private readonly id: HubId,
    private readonly settings: HubSettings,
    private readonly options: HubDownloadOptions,
  ) {}

  /** The parameters every library call takes. */
  params(): { hubUrl: string; accessToken?: string; fetch: typeof fetch } {
    return {
      hubUrl: this.settings.endpoint,
      ...(this.settings.token !== undefined ? { accessToken: this.settings.token } : {}),
      fetch: (input, init) => this.fetch(input, init),
    };
  }

  /** Fetches `files` of `commit` that the cache lacks, checking each new blob. */
  async download(commit: string, files: string[]): Promise<void> {
    const snapshot = join(
      repoCacheFolder(this.settings.cacheDir, this.id.repo),
      'snapshots',
      commit,
    );
    const missing: string[] = [];
    for (const file of new Set(files))
      if (!(await stat(join(snapshot, file)).catch(() => undefined))) missing.push(file);
    if (missing.length === 0) return;
    let infos: PathInfo[];
    try {
      infos = await pathsInfo({
        ...this.params(),
        repo: this.id.repo,
        revision: commit,
        paths: missing,
        expand: true,
      });
    } catch (e) {
      throw this.explain(e);
    }
    this.doneBytes = 0;
    this.totalBytes = infos.reduce((sum, i) => sum + i.size, 0);
    this.report(0);
    for (const file of missing) {
      const info = infos.find((i) => i.path === file);
      if (!info)
        throw new CliError(
          `${this.id.repo}@${commit}: the Hub lists ${file} but gives no information on it`,
          'try again later',
        );
      await this.downloadOne(commit, info);
    }
  }

  private async downloadOne(commit: string, info: PathInfo): Promise<void> {
    const etag = info.lfs?.oid ?? info.xetHash ?? info.oid;
    const blob = join(repoCacheFolder(this.settings.cacheDir, this.id.repo), 'blobs', etag ?? '');
    const fresh = !(await stat(blob).catch(() => undefined));
    let pointer: string;
    // The library announces each file with console.debug, which would land on stdout amid --json.
    const debug = console.debug;
    console.debug = () => undefined;
    // Progress from the size of the growing `.incomplete` file: right whichever transport the
    // library picks (plain HTTP, or Xet chunks whose bytes on the wire are not the file's).
    const poll = setInterval(() => {
      void stat(`${blob}.incomplete`).then(
        (s) => this.report(this.doneBytes + Math.min(s.size, info.size)),
        () => undefined,
      );
    }, PROGRESS_INTERVAL_MS);
    try {
      pointer = await downloadFileToCacheDir({
        ...this.params(),
        repo: this.id.repo,
        path: info.path,
        revision: commit,
        cacheDir: this.settings.cacheDir,
      });
    } catch (e) {
      await rm(`${blob}.incomplete`, { force: true });
      if (e instanceof HubApiError || e instanceof CliError) throw this.explain(e);
      if (e instanceof Error && e.name === 'AbortError') throw e;
      throw new CliError(
        `${this.id.repo}: downloading ${info.path} broke off (${messageOf(e)})`,
        'run the command again: files already downloaded stay in the cache, the partial one was discarded',
        { cause: e },
      );
    } finally {
      clearInterval(poll);
      console.debug = debug;
    }
    if (fresh) await this.verify(pointer, blob, info);
    this.doneBytes += info.size;
    this.report(this.doneBytes);
  }

  private report(doneBytes: number): void {
    this.options.onProgress?.(Math.min(doneBytes, this.totalBytes), this.totalBytes);
  }

  /** A new blob must have the listed size, and an LFS one the listed sha256; else it is removed. */
  private async verify(pointer: string, blob: string, info: PathInfo): Promise<void> {
    const size = (await stat(blob)).size;
    const sha = info.lfs ? await sha256File(blob) : undefined;
    const problem =
      size !== info.size
        ? `${size} bytes where the Hub lists ${info.size}`
        : sha !== undefined && sha !== info.lfs?.oid
          ? `sha256 ${sha} where the Hub lists ${info.lfs?.oid}`
          : undefined;
    if (!problem) return;
    await rm(pointer, { force: true });
    await rm(blob, { force: true });
    throw new CliError(
      `${this.id.repo}: downloaded ${info.path} has ${problem}; it was removed from the cache`,
      'run the command again; if it persists, the connection or a proxy alters the file',
    );
  }

  /** The library's fetch, with Ctrl-C, and error codes kept for {@link explain}. */
  private async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const signal = this.options.signal;
    const response = await fetch(input, { ...init, ...(signal ? { signal } : {}) });
    if (!response.ok) {
      this.lastErrorCode = response.headers.get('x-error-code') ?? undefined;
      return response;
    }
    return response;
  }

  /** A library or network error as a {@link CliError} that says what to do. */
  explain(e: unknown): unknown {
    if (e instanceof CliError || (e instanceof Error && e.name === 'AbortError')) return e;
    const { repo, revision } = this.id;
    const endpoint = this.settings.endpoint;
    if (isNetworkError(e))
      return new CliError(
        `${repo}: cannot reach ${endpoint} (${messageOf(e)}) and the model is not in the cache ${this.settings.cacheDir}`,
        'check the network (or HF_ENDPOINT); HF_HUB_OFFLINE=1 uses only the cache',
        { cause: e },
      );
    if (!(e instanceof HubApiError)) return e;
    const code = this.lastErrorCode;
    if (
      code === 'RevisionNotFound' ||
      (e.statusCode === 404 &&
        code !== 'RepositoryNotFound' &&
        this.id.explicitRevision &&
        code !== 'EntryNotFound')
    )
      return new CliError(
        `${repo}: revision "${revision}" does not exist`,
        `give a branch, tag or commit hash listed at ${endpoint}/${repo}/tree/main, or leave out @${revision} for main`,
        { cause: e },
      );
    if (
      code === 'GatedRepo' ||
      ((e.statusCode === 401 || e.statusCode === 403) && code !== 'RepositoryNotFound')
    )
      return new CliError(
        `${repo} is gated or private: the Hub refused access (HTTP ${e.statusCode})`,
        this.settings.token === undefined
          ? `accept its licence at ${endpoint}/${repo} and set HF_TOKEN to a read token of that account (https://huggingface.co/settings/tokens)`
          : `the account of HF_TOKEN has no access: accept the licence at ${endpoint}/${repo} (or check the token)`,
        { cause: e },
      );
    if (e.statusCode === 404 || code === 'RepositoryNotFound')
      return new CliError(
        `${repo}: no such model on ${endpoint}`,
        this.settings.token === undefined
          ? 'check the spelling of the id (org/name); a private model also needs HF_TOKEN'
          : 'check the spelling of the id (org/name) and that the token of HF_TOKEN may read it',
        { cause: e },
      );
    return new CliError(
      `${repo}: the Hub answered HTTP ${e.statusCode}: ${e.message.split('\n')[0]}`,
      'try again later',
      { cause: e },
    );
  }
}

/** Whether `e` is a failure to talk to the server at all (refused, reset, cut mid-body). */
function isNetworkError(e: unknown): boolean {
  if (!(e instanceof Error)) return typeof e === 'string' && /terminated|socket|ECONN/i.test(e);
  const cause = (e as { cause?: { code?: string } }).cause;
  return (
    (e instanceof TypeError && /fetch failed|terminated/i.test(e.message)) ||
    /^(ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|UND_ERR)/.test(cause?.code ?? '')
  );
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: { message?: string } }).cause;
  return cause?.message ? `${e.message}: ${cause.message}` : e.message;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
