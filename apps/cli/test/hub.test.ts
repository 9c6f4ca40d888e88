/**
 * Hub ids as MODEL, against a local stand-in for the Hub (hub-server.ts) reached through
 * HF_ENDPOINT, with a private cache: a download lands in Python huggingface_hub's layout, only the
 * needed files are fetched, a cached model loads with the server stopped or HF_HUB_OFFLINE set,
 * and each failure (gated, unknown repository or revision, connection cut mid-file, malformed id)
 * ends in an error that says what to do and leaves no partial file in the cache.
 */
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { type HubId, parseHubId } from '@llm-streamline/llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../packages/streamline/test/schema-check.js';
import { CliError } from '../src/errors.js';
import { cachedModel } from '../src/hub/hub-cache.js';
import { fetchHubModel } from '../src/hub/hub-download.js';
import { hubSettings } from '../src/hub/hub-settings.js';
import { resolveModelArg } from '../src/hub/model-arg.js';
import { HELDOUT, jsonResult, runCli, TINY, TINY_12L, tempDir } from './helpers.js';
import {
  FakeHub,
  type FixtureFile,
  type FixtureRepo,
  fileEtag,
  repoFromFolder,
} from './hub-server.js';

const MODEL_FILES = [
  'config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer.model',
  'tokenizer_config.json',
];
// Files a repository often holds besides the model: never fetched.
const UNNEEDED = [
  { path: 'README.md', bytes: new TextEncoder().encode('# tiny\n'), lfs: false },
  { path: 'pytorch_model.bin', bytes: new Uint8Array(4096), lfs: true },
  { path: 'onnx/model.onnx', bytes: new Uint8Array(4096), lfs: true },
];
const tiny = repoFromFolder('fixture-org/tiny-12L', TINY_12L, MODEL_FILES, UNNEEDED);
const gated: FixtureRepo = {
  ...repoFromFolder('fixture-org/gated', TINY_12L, MODEL_FILES),
  gatedToken: 'hf_fixture',
};
// A safetensors index (one shard) beside a stray checkpoint, and GGUF-only repositories.
const indexed = repoFromFolder('fixture-org/indexed', TINY_12L, MODEL_FILES, [
  {
    path: 'model.safetensors.index.json',
    bytes: new TextEncoder().encode(
      JSON.stringify({ weight_map: { 'model.norm.weight': 'model.safetensors' } }),
    ),
    lfs: false,
  },
  { path: 'consolidated.safetensors', bytes: new Uint8Array(4096), lfs: true },
]);
// Download does not parse weights: stand-in bytes are enough for GGUF repositories.
const gguf = (path: string, size: number) => ({
  path,
  bytes: new Uint8Array(size).fill(7),
  lfs: true,
});
const ggufOnly: FixtureRepo = {
  ...repoFromFolder('fixture-org/gguf', TINY_12L, []),
  files: [gguf('stories260K.gguf', 5000)],
};
const twoGgufs: FixtureRepo = {
  ...repoFromFolder('fixture-org/ggufs', TINY_12L, []),
  files: [gguf('stories260K.gguf', 5000), gguf('stories260K-copy.gguf', 64)],
};
const hub = new FakeHub([tiny, gated, indexed, ggufOnly, twoGgufs]);

function id(text: string): HubId {
  const parsed = parseHubId(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

async function settingsWith(env: Record<string, string> = {}) {
  const home = await tempDir();
  return { home, env: { HF_HOME: home, HF_ENDPOINT: hub.url, ...env } };
}

/** The error `promise` rejects with, as "message — hint". */
async function failure(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CliError);
  return `${(e as CliError).message} — ${(e as CliError).hint}`;
}

/** Byte equality without vitest's element-by-element diff (minutes on 9 MB). */
function sameBytes(a: Buffer, b: Uint8Array): boolean {
  return a.equals(b);
}

/** Every file under `dir` whose name ends in .incomplete (a partial download). */
async function partials(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.incomplete'));
}

beforeAll(async () => {
  await hub.start();
});
afterAll(async () => {
  await hub.stop();
});

describe('Hub ids', () => {
  it('parses org/name[@revision] with the Python grammar, and says why a string is not an id', () => {
    expect(parseHubId('TinyLlama/TinyLlama-1.1B-Chat-v1.0')).toEqual({
      repo: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      revision: 'main',
      explicitRevision: false,
    });
    expect(parseHubId('org/name@refs/pr/1')).toMatchObject({
      revision: 'refs/pr/1',
      explicitRevision: true,
    });
    for (const [text, reason] of [
      ['a/b/c', /2 "\/", expected one/],
      ['noslash', /0 "\/", expected one/],
      ['/name', /empty part/],
      ['org/', /empty part/],
      ['org/na me', /character other than/],
      ['org/-name', /character other than/],
      ['org/na--me', /"--"/],
      ['org/name@', /not a revision/],
      ['org/name@a b', /not a revision/],
      [`org/${'x'.repeat(100)}`, /at most 96/],
    ] as const)
      expect((parseHubId(text) as { error?: string }).error, text).toMatch(reason);
  });

  it('reads HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE as Python does', () => {
    expect(hubSettings({ HF_HOME: '/h' })).toMatchObject({
      cacheDir: '/h/hub',
      endpoint: 'https://huggingface.co',
      offline: false,
      token: undefined,
    });
    expect(
      hubSettings({
        HF_HOME: '/h',
        HF_HUB_CACHE: '/c',
        HF_ENDPOINT: 'http://e/',
        HF_TOKEN: 'hf_x',
        HF_HUB_OFFLINE: '1',
      }),
    ).toEqual({ cacheDir: '/c', endpoint: 'http://e', token: 'hf_x', offline: true });
    expect(hubSettings({ XDG_CACHE_HOME: '/x' }).cacheDir).toBe('/x/huggingface/hub');
  });

  it('a local path wins; a missing path-like MODEL or a malformed id says what MODEL may be', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'fixture-org/tiny-12L'), { recursive: true });
    const io = {
      cwd,
      env: { HF_ENDPOINT: 'http://127.0.0.1:9' },
      signal: new AbortController().signal,
    };
    expect(await resolveModelArg('fixture-org/tiny-12L', io)).toBe(
      join(cwd, 'fixture-org/tiny-12L'),
    );
    expect(await failure(resolveModelArg('./missing/model', io))).toMatch(
      /missing\/model: no such file or folder — MODEL must be/,
    );
    expect(await failure(resolveModelArg('a/b/c', io))).toMatch(
      /"a\/b\/c": no such file or folder, nor a Hugging Face model id \("a\/b\/c" has 2 "\/", expected one\) — a Hugging Face model id looks like org\/name/,
    );
  });
});

describe('downloading from the Hub (a local server through HF_ENDPOINT)', () => {
  it('fetches only the needed files into the Python cache layout, then reuses them', async () => {
    const { home, env } = await settingsWith();
    const before = hub.requests.length;
    const progress: [number, number][] = [];
    const path = await fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(env), {
      onProgress: (done, total) => progress.push([done, total]),
    });
    const repoDir = join(home, 'hub', 'models--fixture-org--tiny-12L');
    expect(path).toBe(join(repoDir, 'snapshots', tiny.commit));
    // Bytes of the needed files, never decreasing, ending at their sum.
    const needed = tiny.files.filter((f) => MODEL_FILES.includes(f.path));
    const total = needed.reduce((sum, f) => sum + f.bytes.byteLength, 0);
    expect(progress.at(-1)).toEqual([total, total]);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]?.[0]).toBeGreaterThanOrEqual(progress[i - 1]?.[0] as number);
    expect((await readFile(join(repoDir, 'refs', 'main'), 'utf8')).trim()).toBe(tiny.commit);
    for (const file of tiny.files.filter((f) => MODEL_FILES.includes(f.path))) {
      // A relative symlink to blobs/<etag> (sha256 for LFS files), holding the served bytes.
      const link = await readlink(join(path, file.path));
      expect(link).toBe(join('..', '..', 'blobs', fileEtag(file)));
      expect(sameBytes(await readFile(join(path, file.path)), file.bytes), file.path).toBe(true);
    }
    const fetched = hub.requests
      .slice(before)
      .filter((r) => r.startsWith('GET full'))
      .sort();
    expect(fetched).toEqual(MODEL_FILES.map((f) => `GET full ${f}`).sort());
    expect(await partials(home)).toEqual([]);

    const again = hub.requests.length;
    expect(await fetchHubModel(id('fixture-org/tiny-12L@main'), hubSettings(env))).toBe(path);
    expect(hub.requests.slice(again).filter((r) => r.startsWith('GET full'))).toEqual([]);
  });

  it('reuses files that Python huggingface_hub already downloaded (same layout)', async () => {
    const { home, env } = await settingsWith();
    // What `huggingface_hub.snapshot_download` leaves: blobs named by etag, relative symlinks.
    const repoDir = join(home, 'hub', 'models--fixture-org--tiny-12L');
    const snapshot = join(repoDir, 'snapshots', tiny.commit);
    await mkdir(join(repoDir, 'blobs'), { recursive: true });
    await mkdir(snapshot, { recursive: true });
    for (const file of tiny.files.filter((f) => MODEL_FILES.includes(f.path))) {
      await writeFile(join(repoDir, 'blobs', fileEtag(file)), file.bytes);
      await symlink(join('..', '..', 'blobs', fileEtag(file)), join(snapshot, file.path));
    }
    const before = hub.requests.length;
    expect(await fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(env))).toBe(snapshot);
    expect(hub.requests.slice(before).filter((r) => r.startsWith('GET full'))).toEqual([]);
  });

  it('follows a safetensors index to its shards; takes a lone .gguf; refuses to guess among several', async () => {
    const { env } = await settingsWith();
    const before = hub.requests.length;
    const folder = await fetchHubModel(id('fixture-org/indexed'), hubSettings(env));
    expect(
      hub.requests
        .slice(before)
        .filter((r) => r.startsWith('GET full'))
        .sort(),
    ).toEqual([...MODEL_FILES, 'model.safetensors.index.json'].map((f) => `GET full ${f}`).sort());
    expect((await stat(join(folder, 'model.safetensors'))).size).toBe(9134016);
    const ggufPath = await fetchHubModel(id('fixture-org/gguf'), hubSettings(env));
    expect(ggufPath).toMatch(/snapshots\/[0-9a-f]{40}\/stories260K\.gguf$/);
    expect((await stat(ggufPath)).size).toBe(5000);
    expect(await cachedModel(join(env.HF_HOME, 'hub'), id('fixture-org/gguf'))).toBe(ggufPath);
    expect(await failure(fetchHubModel(id('fixture-org/ggufs'), hubSettings(env)))).toMatch(
      /fixture-org\/ggufs@main holds 2 .gguf files \(stories260K.gguf, stories260K-copy.gguf\) and no safetensors — download the one you want \(huggingface-cli download fixture-org\/ggufs FILE\)/,
    );
  });

  it('explains a gated model without a token, an unknown repository and an unknown revision', async () => {
    const { env } = await settingsWith();
    expect(await failure(fetchHubModel(id('fixture-org/gated'), hubSettings(env)))).toMatch(
      /fixture-org\/gated is gated or private: the Hub refused access \(HTTP 401\) — accept its licence at .*fixture-org\/gated and set HF_TOKEN/,
    );
    expect(
      await failure(
        fetchHubModel(id('fixture-org/gated'), hubSettings({ ...env, HF_TOKEN: 'hf_wrong' })),
      ),
    ).toMatch(/refused access .* — the account of HF_TOKEN has no access: accept the licence/);
    const withToken = await fetchHubModel(
      id('fixture-org/gated'),
      hubSettings({ ...env, HF_TOKEN: 'hf_fixture' }),
    );
    expect((await stat(join(withToken, 'model.safetensors'))).size).toBe(9134016);
    expect(await failure(fetchHubModel(id('fixture-org/missing'), hubSettings(env)))).toMatch(
      /fixture-org\/missing: no such model on http:\/\/127\.0\.0\.1:\d+ — check the spelling/,
    );
    expect(await failure(fetchHubModel(id('fixture-org/tiny-12L@v9'), hubSettings(env)))).toMatch(
      /fixture-org\/tiny-12L: revision "v9" does not exist — give a branch, tag or commit hash/,
    );
    expect(
      await failure(
        fetchHubModel(id('fixture-org/tiny-12L'), hubSettings({ ...env, HF_TOKEN: 'abc' })),
      ),
    ).toMatch(/HF_TOKEN does not start with "hf_"/);
  });

  it('a connection cut mid-file leaves no partial or corrupt cache entry, and a retry succeeds', async () => {
    const { home, env } = await settingsWith();
    const weights = tiny.files.find((f) => f.path === 'model.safetensors');
    if (!weights) throw new Error('fixture without weights');
    hub.cutNext = 'model.safetensors';
    expect(await failure(fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(env)))).toMatch(
      /fixture-org\/tiny-12L: downloading model.safetensors broke off \(.+\) — run the command again/,
    );
    const repoDir = join(home, 'hub', 'models--fixture-org--tiny-12L');
    expect(await partials(home)).toEqual([]);
    expect(await readdir(join(repoDir, 'blobs'))).not.toContain(fileEtag(weights));
    await expect(
      lstat(join(repoDir, 'snapshots', tiny.commit, 'model.safetensors')),
    ).rejects.toThrow();

    const path = await fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(env));
    expect(sameBytes(await readFile(join(path, 'model.safetensors')), weights.bytes)).toBe(true);
  });

  it('a file whose bytes do not match the sha256 the Hub lists is removed from the cache', async () => {
    const { home, env } = await settingsWith();
    hub.corruptNext = 'model.safetensors';
    expect(await failure(fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(env)))).toMatch(
      /downloaded model.safetensors has sha256 [0-9a-f]{64} where the Hub lists [0-9a-f]{64}; it was removed from the cache — run the command again/,
    );
    const repoDir = join(home, 'hub', 'models--fixture-org--tiny-12L');
    expect(await readdir(join(repoDir, 'blobs'))).not.toContain(
      fileEtag(tiny.files.find((f) => f.path === 'model.safetensors') as FixtureFile),
    );
    await expect(
      lstat(join(repoDir, 'snapshots', tiny.commit, 'model.safetensors')),
    ).rejects.toThrow();
    expect(await cachedModel(join(home, 'hub'), id('fixture-org/tiny-12L'))).toBeUndefined();
  });

  it('uses the cache with the server stopped or HF_HUB_OFFLINE=1, and says so when nothing is cached', async () => {
    const { env } = await settingsWith();
    const path = await fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(env));
    const offline = hubSettings({ ...env, HF_HUB_OFFLINE: '1' });
    const before = hub.requests.length;
    expect(await fetchHubModel(id('fixture-org/tiny-12L'), offline)).toBe(path);
    expect(await fetchHubModel(id(`fixture-org/tiny-12L@${tiny.commit}`), offline)).toBe(path);
    expect(hub.requests.length).toBe(before);
    expect(await failure(fetchHubModel(id('fixture-org/tiny-12L@v1'), offline))).toMatch(
      /tiny-12L@v1: HF_HUB_OFFLINE is set and the model is not \(completely\) in the cache .* — unset HF_HUB_OFFLINE/,
    );

    const stopped = new FakeHub([]);
    const deadUrl = await stopped.start();
    await stopped.stop();
    const down = { ...env, HF_ENDPOINT: deadUrl }; // nothing listens there any more
    const notes: string[] = [];
    expect(
      await fetchHubModel(id('fixture-org/tiny-12L'), hubSettings(down), {
        onNote: (n) => notes.push(n),
      }),
    ).toBe(path);
    expect(notes).toEqual([
      expect.stringMatching(
        /127\.0\.0\.1:\d+ is unreachable: using the cached fixture-org\/tiny-12L@main/,
      ),
    ]);
    expect(await failure(fetchHubModel(id('fixture-org/other'), hubSettings(down)))).toMatch(
      /fixture-org\/other: cannot reach http:\/\/127\.0\.0\.1:\d+ \(fetch failed.*\) and the model is not in the cache .* — check the network/,
    );
  });
});

describe('llm-streamline with a Hub id', () => {
  it('inspect downloads (progress lines, nothing but JSON on stdout); eval then runs offline from the cache, as from the folder', async () => {
    const { home, env } = await settingsWith();
    const inspect = await runCli(['inspect', 'fixture-org/tiny-12L', '--json'], env);
    expect(inspect.code, inspect.stderr).toBe(0);
    const progress = inspect.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((o) => o.type === 'progress');
    expect(progress.at(-1)).toMatchObject({
      stage: 'downloading',
      message: 'fixture-org/tiny-12L',
      unit: 'MB',
    });
    expect(jsonResult<{ architecture: { layers: number } }>(inspect).architecture.layers).toBe(12);

    const evalFlags = [
      '--data',
      HELDOUT,
      '--blocks',
      '1',
      '--block-length',
      '32',
      '--batch',
      '1',
      '--json',
    ];
    const fromHub = await runCli(['eval', 'fixture-org/tiny-12L', ...evalFlags], {
      ...env,
      HF_HUB_OFFLINE: '1',
    });
    expect(fromHub.code, fromHub.stderr).toBe(0);
    // The same model read from its original folder: the cached copy must score identically.
    const fromFolder = await runCli(['eval', TINY_12L, ...evalFlags]);
    const perplexity = jsonResult<{ perplexity: number }>(fromHub).perplexity;
    expect(perplexity).toBeGreaterThan(1);
    expect(perplexity).toBe(jsonResult<{ perplexity: number }>(fromFolder).perplexity);
    expect(await partials(home)).toEqual([]);

    // prune records the id as the model's source, not the cache folder it was read from.
    const out = join(await tempDir(), 'pruned');
    const pruned = await runCli(
      ['prune', 'fixture-org/tiny-12L', '--out', out, ...TINY, '--no-eval', '--json'],
      { ...env, HF_HUB_OFFLINE: '1' },
    );
    expect(pruned.code, pruned.stderr).toBe(0);
    const report = jsonResult<{ report: { model: { source: string } } }>(pruned).report;
    expect(report.model.source).toBe('fixture-org/tiny-12L');
    expect(schemaErrors(JSON.parse(await readFile(join(out, 'streamline.json'), 'utf8')))).toEqual(
      [],
    );
  }, 300_000);

  it('a malformed id fails at once with what an id looks like', async () => {
    const run = await runCli(['inspect', 'org//name'], { HF_ENDPOINT: hub.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /"org\/\/name": no such file or folder, nor a Hugging Face model id .* — a Hugging Face model id looks like org\/name/,
    );
  });
});
