/**
 * A local stand-in for the Hugging Face Hub (with CORS, for the web app's test), serving the endpoints `@huggingface/hub` calls
 * (model info by revision, paths-info, resolve with `Range: bytes=0-0` probes) for fixture
 * repositories, with switches for the failures the CLI must explain: a gated repository, unknown
 * repositories and revisions, and a connection cut in the middle of a file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A file of a fixture repository; LFS files are addressed by sha256, others by git blob sha1. */
export interface FixtureFile {
  path: string;
  bytes: Uint8Array;
  lfs: boolean;
}

export interface FixtureRepo {
  /** org/name */
  name: string;
  /** The commit every revision name in `revisions` resolves to. */
  commit: string;
  revisions: string[];
  files: FixtureFile[];
  /** Requests for file contents need `Authorization: Bearer <token>`. */
  gatedToken?: string;
}

/** The fixture built from a local model folder: weights as LFS, the rest as git files. */
export function repoFromFolder(
  name: string,
  folder: string,
  files: string[],
  extra: FixtureFile[] = [],
): FixtureRepo {
  return {
    name,
    commit: createHash('sha1').update(name).digest('hex'),
    revisions: ['main', 'v1'],
    files: [
      ...files.map((path) => ({
        path,
        bytes: new Uint8Array(readFileSync(join(folder, path))),
        lfs: path.endsWith('.safetensors') || path.endsWith('.gguf'),
      })),
      ...extra,
    ],
  };
}

/** The etag the Hub gives a file (what Python and the JS library name its blob after). */
export function fileEtag(file: FixtureFile): string {
  return file.lfs ? createHash('sha256').update(file.bytes).digest('hex') : gitBlobSha1(file.bytes);
}

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

export class FakeHub {
  /** Every request as "METHOD path" (query dropped), to check what was and was not fetched. */
  readonly requests: string[] = [];
  /** The next full GET of this path sends half the file, then destroys the socket. */
  cutNext: string | undefined;
  /** The next full GET of this path sends the file with one byte changed (same length). */
  corruptNext: string | undefined;
  private server: Server | undefined;
  url = '';

  constructor(private readonly repos: FixtureRepo[]) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  /** The full downloads (no Range) of repository files so far. */
  downloads(): string[] {
    return this.requests.filter((r) => r.startsWith('GET full '));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // The web app asks from another origin, as it asks huggingface.co: answer as the Hub does.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader(
      'Access-Control-Expose-Headers',
      'ETag, Content-Range, Content-Length, X-Error-Code, X-Repo-Commit, X-Linked-ETag, X-Linked-Size',
    );
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Range, Content-Type, Accept',
      });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(path);
    const paths = /^\/api\/models\/([^/]+\/[^/]+)\/paths-info\/(.+)$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (info) {
      this.modelInfo(res, info[1] as string, info[2] as string);
      return;
    }
    if (paths) {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => this.pathsInfo(res, paths[1] as string, paths[2] as string, body));
      return;
    }
    if (resolve) {
      this.resolve(req, res, resolve[1] as string, resolve[2] as string, resolve[3] as string);
      return;
    }
    this.requests.push(`${req.method} ${path}`);
    this.error(res, 404, 'EntryNotFound', 'not found');
  }

  private repo(res: ServerResponse, name: string, revision: string): FixtureRepo | undefined {
    const repo = this.repos.find((r) => r.name === name);
    if (!repo) {
      this.error(res, 404, 'RepositoryNotFound', 'Repository not found');
      return undefined;
    }
    if (revision !== repo.commit && !repo.revisions.includes(revision)) {
      this.error(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
      return undefined;
    }
    return repo;
  }

  private modelInfo(res: ServerResponse, name: string, revision: string): void {
    this.requests.push(`GET info ${name}@${revision}`);
    const repo = this.repo(res, name, revision);
    if (!repo) return;
    this.json(res, {
      _id: repo.commit.slice(0, 24),
      id: repo.name,
      sha: repo.commit,
      private: false,
      gated: repo.gatedToken ? 'manual' : false,
      downloads: 0,
      likes: 0,
      lastModified: '2026-01-01T00:00:00.000Z',
      siblings: repo.files.map((f) => ({ rfilename: f.path })),
    });
  }

  private pathsInfo(res: ServerResponse, name: string, revision: string, body: string): void {
    this.requests.push(`POST paths-info ${name}@${revision}`);
    const repo = this.repo(res, name, revision);
    if (!repo) return;
    const wanted = (JSON.parse(body) as { paths: string[] }).paths;
    this.json(
      res,
      repo.files
        .filter((f) => wanted.includes(f.path))
        .map((f) => ({
          type: 'file',
          path: f.path,
          size: f.bytes.byteLength,
          oid: gitBlobSha1(
            f.lfs ? new TextEncoder().encode(`lfs pointer ${fileEtag(f)}`) : f.bytes,
          ),
          ...(f.lfs
            ? { lfs: { oid: fileEtag(f), size: f.bytes.byteLength, pointerSize: 134 } }
            : {}),
          lastCommit: { id: repo.commit, title: 'fixture', date: '2026-01-01T00:00:00.000Z' },
        })),
    );
  }

  private resolve(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    revision: string,
    filePath: string,
  ): void {
    const range = req.headers.range;
    this.requests.push(`GET ${range ? 'probe' : 'full'} ${filePath}`);
    const repo = this.repo(res, name, revision);
    if (!repo) return;
    const file = repo.files.find((f) => f.path === filePath);
    if (!file) {
      this.error(res, 404, 'EntryNotFound', `${filePath} not found`);
      return;
    }
    if (repo.gatedToken && req.headers.authorization !== `Bearer ${repo.gatedToken}`) {
      this.error(
        res,
        401,
        'GatedRepo',
        'Access to model is restricted. You must have access to it and be authenticated to access it.',
      );
      return;
    }
    const etag = fileEtag(file);
    const headers = {
      ETag: `"${etag}"`,
      ...(file.lfs
        ? { 'X-Linked-ETag': `"${etag}"`, 'X-Linked-Size': String(file.bytes.byteLength) }
        : {}),
      'X-Repo-Commit': repo.commit,
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
    };
    if (range === 'bytes=0-0') {
      res.writeHead(206, {
        ...headers,
        'Content-Range': `bytes 0-0/${file.bytes.byteLength}`,
        'Content-Length': '1',
      });
      res.end(Buffer.from(file.bytes.subarray(0, 1)));
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': String(file.bytes.byteLength) });
    if (this.cutNext === filePath) {
      this.cutNext = undefined;
      res.write(Buffer.from(file.bytes.subarray(0, file.bytes.byteLength >> 1)), () =>
        res.socket?.destroy(),
      );
      return;
    }
    const body = Buffer.from(file.bytes);
    if (this.corruptNext === filePath) {
      this.corruptNext = undefined;
      body[body.length >> 1] ^= 0xff;
    }
    res.end(body);
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Error-Code': code });
    res.end(JSON.stringify({ error: message }));
  }
}
