/**
 * Shared vitest setup. Every package gets two projects over the same `test/**\/*.test.ts` files:
 *   `<pkg>:node`      Node, one forked process per worker (Dawn must be created on a main thread)
 *   `<pkg>:chromium`  headless Chromium through Playwright, WebGPU enabled
 * Sibling workspace packages resolve to their TypeScript sources through the
 * `@llm-streamline/source` export condition, so tests never need a build.
 */
import { basename, resolve } from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import type { BrowserCommand } from 'vitest/node';
import {
  type FixtureRoot,
  fixtureFileExists,
  readFixtureFile,
} from './packages/test-utils/src/paths.js';
import { applyWebGPUEnv, LAVAPIPE_ICD, SWIFTSHADER_ICD } from './scripts/webgpu-env.mjs';

/** Export condition that points workspace packages at `src/index.ts`. */
export const SOURCE_CONDITION = '@llm-streamline/source';

/** Registers the custom matchers (`toBeAllclose`) in every package project, Node and Chromium. */
export const SETUP_FILE = resolve(import.meta.dirname, 'packages/test-utils/src/setup.ts');

/** SwiftShader is slow: a single matmul test can take tens of seconds. */
export const TEST_TIMEOUT_MS = 120_000;

// Set VK_ICD_FILENAMES / XDG_RUNTIME_DIR before any worker or browser is started; both inherit it.
// LLMS_ADAPTER (auto | swiftshader | lavapipe) picks the Node projects' adapter: see scripts/webgpu-env.mjs.
applyWebGPUEnv(process.env);

/** Chromium used by the browser projects: $PLAYWRIGHT_CHROMIUM_PATH or Debian's chromium. */
export function chromiumPath(): string | undefined {
  if (process.env.PLAYWRIGHT_CHROMIUM_PATH) return process.env.PLAYWRIGHT_CHROMIUM_PATH;
  // Elsewhere (macOS, Windows) fall back to Playwright's own browser, if installed.
  return process.platform === 'linux' ? '/usr/lib/chromium/chromium' : undefined;
}

/**
 * Flags that give headless Chromium a WebGPU adapter. Measured on Debian 12 + chromium 156 without
 * a GPU: `--enable-unsafe-webgpu` alone is necessary and sufficient (Chromium then falls back to
 * its SwiftShader Vulkan); the rest only make that choice explicit. Playwright already adds
 * `--no-sandbox`, `--no-first-run`, `--disable-sync`, `--disable-background-networking`, and the
 * headless mode. `--enable-features=Vulkan` helps real GPUs on Linux.
 */
export function chromiumArgs(env: NodeJS.ProcessEnv = browserEnv()): string[] {
  const args = ['--enable-unsafe-webgpu'];
  if (process.platform === 'linux') args.push('--enable-features=Vulkan');
  if (env.VK_ICD_FILENAMES?.includes('swiftshader')) {
    args.push('--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface');
  }
  return args;
}

/**
 * The browser's environment: the Node one, except that Chromium always gets SwiftShader where the
 * Node projects run on a CPU driver. Chromium bundles its own SwiftShader and `LLMS_ADAPTER` does not
 * apply to it; with `LLMS_ADAPTER=lavapipe` the browser projects still run on SwiftShader.
 */
export function browserEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.VK_ICD_FILENAMES !== LAVAPIPE_ICD) return { ...env };
  return { ...env, VK_ICD_FILENAMES: SWIFTSHADER_ICD };
}

const readFixtureCommand: BrowserCommand<[relPath: string, root: FixtureRoot]> = async (
  _ctx,
  relPath,
  root,
) => Buffer.from(await readFixtureFile(relPath, root)).toString('base64');

const fixtureExistsCommand: BrowserCommand<[relPath: string, root: FixtureRoot]> = (
  _ctx,
  relPath,
  root,
) => fixtureFileExists(relPath, root);

/**
 * The `node` and `chromium` vitest projects of the package in `dir`. `browser: false` gives only
 * the `node` project (Node-only code such as the CLI).
 */
export function packageProjects(
  dir: string,
  { browser = true }: { browser?: boolean } = {},
): TestProjectInlineConfiguration[] {
  const name = basename(dir);
  const shared = {
    root: dir,
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  };
  const test = {
    include: ['test/**/*.test.ts'],
    passWithNoTests: true,
    setupFiles: [SETUP_FILE],
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: TEST_TIMEOUT_MS,
  };
  const nodeProject: TestProjectInlineConfiguration = {
    ...shared,
    test: { ...test, name: `${name}:node`, environment: 'node', pool: 'forks' },
  };
  if (!browser) return [nodeProject];
  return [
    nodeProject,
    {
      ...shared,
      test: {
        ...test,
        name: `${name}:browser`,
        browser: {
          enabled: true,
          headless: true,
          screenshotFailures: false,
          provider: playwright({
            launchOptions: {
              executablePath: chromiumPath(),
              args: chromiumArgs(),
              env: browserEnv(),
            },
          }),
          // One instance; naming it after the project keeps the name `<pkg>:chromium`.
          instances: [{ browser: 'chromium', name: `${name}:chromium` }],
          commands: {
            llmsReadFixture: readFixtureCommand,
            llmsFixtureExists: fixtureExistsCommand,
          },
        },
      },
    },
  ];
}
