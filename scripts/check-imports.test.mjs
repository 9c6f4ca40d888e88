/**
 * The import-graph check must fail where it should: each case writes a tiny workspace with one
 * flaw into a temporary folder and expects exactly that flaw back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports } from './check-imports.mjs';

/** @type {string} */
let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * A workspace of `packages/<name>` with the given dependencies and files.
 * @param {Record<string, { deps?: string[], files?: Record<string, string> }>} packages
 */
function workspace(packages) {
  root = mkdtempSync(join(tmpdir(), 'check-imports-'));
  for (const [name, { deps = [], files = {} }] of Object.entries(packages)) {
    const dir = join(root, 'packages', name);
    mkdirSync(dir, { recursive: true });
    const dependencies = Object.fromEntries(deps.map((d) => [`@llm-streamline/${d}`, '0.0.0']));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `@llm-streamline/${name}`, dependencies }),
    );
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
  mkdirSync(join(root, 'apps'), { recursive: true });
  return root;
}

const clean = {
  tensor: {
    files: { 'src/index.ts': "export * from './a.js';", 'src/a.ts': 'export const a = 1;' },
  },
  autograd: {
    deps: ['tensor'],
    files: {
      'src/index.ts': "import { a } from '@llm-streamline/tensor';\nexport const b = a;",
      'test/b.test.ts': "import { rng } from '@llm-streamline/test-utils';",
    },
  },
  'test-utils': { files: { 'src/index.ts': 'export const rng = 1;' } },
};

describe('check-imports', () => {
  it('accepts a tree that follows the layering (test files may use test-utils)', () => {
    expect(checkImports(workspace(clean)).problems).toEqual([]);
  });

  it('reports a cycle with its path', () => {
    const { problems } = checkImports(
      workspace({
        ...clean,
        tensor: {
          files: {
            'src/a.ts': "import { b } from './b.js';\nexport const a = b;",
            'src/b.ts': "import type { a } from './a.js';\nexport const b = 1;",
          },
        },
      }),
    );
    expect(problems).toEqual([
      'import cycle: packages/tensor/src/a.ts → packages/tensor/src/b.ts → packages/tensor/src/a.ts',
    ]);
  });

  it('reports a longer cycle once, through every file in it', () => {
    const { problems } = checkImports(
      workspace({
        ...clean,
        tensor: {
          files: {
            'src/a.ts': "export * from './b.js';",
            'src/b.ts': "import { c } from './c/index.js';",
            'src/c/index.ts': "const a = await import('../a.js');",
          },
        },
      }),
    );
    expect(problems).toEqual([
      'import cycle: packages/tensor/src/a.ts → packages/tensor/src/b.ts → packages/tensor/src/c/index.ts → packages/tensor/src/a.ts',
    ]);
  });

  it('reports an import that points up the layering', () => {
    const tree = workspace({
      ...clean,
      tensor: { files: { 'src/a.ts': "import { b } from '@llm-streamline/autograd';" } },
    });
    const { problems } = checkImports(tree);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^packages\/tensor\/src\/a\.ts: imports @llm-streamline\/autograd, which points up/,
    );
  });

  it('reports a dependency declared up the layering, and an undeclared one', () => {
    const tree = workspace({
      ...clean,
      tensor: { deps: ['autograd'], files: {} },
      autograd: { deps: [], files: { 'src/b.ts': "export { a } from '@llm-streamline/tensor';" } },
    });
    const { problems } = checkImports(tree);
    expect(problems).toEqual([
      'packages/autograd/src/b.ts: imports @llm-streamline/tensor, which packages/autograd/package.json does not list in dependencies',
      'packages/tensor/package.json: depends on @llm-streamline/autograd, which is not below tensor (allowed: none)',
    ]);
  });

  it('reports a path into another package, which the layering check could not see', () => {
    const tree = workspace({
      ...clean,
      'test-utils': { files: { 'src/index.ts': "export * from '../../tensor/src/a.js';" } },
    });
    expect(checkImports(tree).problems).toEqual([
      'packages/test-utils/src/index.ts: imports ../../tensor/src/a.js by path from outside its package; import that package by name',
    ]);
  });

  it('lets the report take only types from streamline', () => {
    const tree = workspace({
      ...clean,
      streamline: { files: {} },
      report: {
        deps: ['streamline'],
        files: {
          'src/ok.ts':
            "import type { R } from '@llm-streamline/streamline';\nimport { type S } from '@llm-streamline/streamline';\nexport type { T } from '@llm-streamline/streamline';",
          'src/bad.ts': "import { type R, run } from '@llm-streamline/streamline';",
        },
      },
    });
    expect(checkImports(tree).problems).toEqual([
      'packages/report/src/bad.ts: imports values from @llm-streamline/streamline; report may take only types from it (import type)',
    ]);
  });

  it('keeps test-utils out of sources', () => {
    const tree = workspace({
      ...clean,
      tensor: { files: { 'src/a.ts': "const r = import('@llm-streamline/test-utils');" } },
    });
    expect(checkImports(tree).problems).toEqual([
      'packages/tensor/src/a.ts: imports @llm-streamline/test-utils, which is for tests only',
    ]);
  });

  it('refuses a package the layering does not know', () => {
    const tree = workspace({ ...clean, extra: { files: {} } });
    expect(checkImports(tree).problems).toEqual([
      "packages/extra/package.json: package 'extra' has no place in LAYERS (scripts/check-imports.mjs)",
    ]);
  });
});
