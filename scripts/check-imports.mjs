#!/usr/bin/env node
/**
 * The import-graph check CI runs (`npm run lint`): fails on any import cycle between source files
 * of a package, and on any import that points up the layering
 *
 *   apps/cli, apps/web → report → streamline → llm → autograd → tensor
 *
 * (`test-utils` is test-only: tests, benches and examples may import it, sources may not).
 * A package's package.json must declare exactly the layering it imports from, no more and no
 * higher. Type-only imports count too: a cycle of types still means two files that cannot be read
 * one without the other.
 *
 * Usage: node scripts/check-imports.mjs [--verbose]
 * Exit 0: clean. Exit 1: each problem on its own line, as `file: what is wrong`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every workspace package and the packages it may import from. Lower layers never name higher
 * ones; the list of a package is its whole allowed set (transitive imports are not implied, so a
 * skipped layer is a deliberate choice written here).
 */
/** @type {Record<string, string[]>} */
export const LAYERS = {
  tensor: [],
  autograd: ['tensor'],
  llm: ['autograd', 'tensor'],
  streamline: ['llm', 'autograd', 'tensor'],
  report: ['streamline'],
  cli: ['report', 'streamline', 'llm', 'autograd', 'tensor'],
  web: ['report', 'streamline', 'llm', 'autograd', 'tensor'],
  // Its seeded inputs come from tensor's generator; tensor is its peer dependency (a dependency
  // would be a cycle in the build graph, since tensor's tests use test-utils).
  'test-utils': ['tensor'],
};
/**
 * Packages another one may take types from and nothing else: the report draws streamline.json, so
 * it needs its type, and drawing a chart must load nothing of the pipeline, the models or the GPU.
 * @type {Record<string, string[]>}
 */
const TYPES_ONLY = { report: ['streamline'] };
/** May be imported from test, bench and example files only. */
const TEST_ONLY = new Set(['test-utils']);
const SCOPE = '@llm-streamline/';
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.tsx', '.js', '.mjs'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'assets', 'coverage', 'public']);

/**
 * The package folders: `packages/*` and `apps/*` that have a package.json.
 * @param {string} root
 * @returns {{ dir: string, manifest: { name: string, dependencies?: Record<string, string>, peerDependencies?: Record<string, string> }, name: string }[]}
 */
function workspacePackages(root) {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .sort()
      .map((name) => join(root, group, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        return { dir, manifest, name: manifest.name.replace(SCOPE, '') };
      }),
  );
}

/**
 * @param {string} dir
 * @returns {string[]}
 */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (SKIP_DIRS.has(entry) || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE_EXTENSIONS.some((e) => entry.endsWith(e)) && !entry.endsWith('.d.ts'))
      out.push(path);
  }
  return out;
}

/**
 * Module specifiers a file imports: static imports and re-exports (type-only too), `import()` and
 * `import('…')` types, each with whether it brings types only (erased at compile time).
 * @param {string} file
 * @returns {{ specifier: string, typeOnly: boolean }[]}
 */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  /** @type {{ specifier: string, typeOnly: boolean }[]} */
  const specifiers = [];
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!named &&
            ts.isNamedImports(named) &&
            named.elements.every((e) => e.isTypeOnly)));
      specifiers.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) specifiers.push({ specifier: literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/**
 * `./x.js` → the file it names (`./x.ts`, `./x/index.ts`…), or undefined outside the tree.
 * @param {string} from
 * @param {string} specifier
 */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m?js|tsx?)$/, '');
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((e) => stem + e),
    ...SOURCE_EXTENSIONS.map((e) => join(base, `index${e}`)),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** @typedef {Map<string, Set<string>>} Graph */

/**
 * Cycles in a directed graph (Tarjan's strongly connected components of size > 1, or a self-edge).
 * @param {Graph} graph
 */
function cycles(graph) {
  /** @type {Map<string, number>} */
  const index = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {string[][]} */
  const found = [];
  /** @param {string} v */
  const connect = (v) => {
    const order = index.size;
    index.set(v, order);
    low.set(v, order);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) connect(w);
      if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? order, low.get(w) ?? order));
    }
    if (low.get(v) !== order) return;
    /** @type {string[]} */
    const component = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      component.unshift(w);
    }
    if (component.length > 1 || graph.get(v)?.has(v)) found.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

/**
 * One path through a strongly connected component, start → … → start, for the message.
 * @param {Graph} graph
 * @param {string[]} component
 * @returns {string[]}
 */
function cyclePath(graph, component) {
  const members = new Set(component);
  const start = component[0] ?? '';
  /** @type {Map<string, string>} the file each one was first reached from */
  const reachedFrom = new Map();
  const queue = [start];
  for (let v = queue.shift(); v !== undefined; v = queue.shift()) {
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [v];
        for (let u = reachedFrom.get(v); u !== undefined; u = reachedFrom.get(u)) path.unshift(u);
        return [...path, start];
      }
      if (members.has(w) && w !== start && !reachedFrom.has(w)) {
        reachedFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

/**
 * Tests, benches, examples and configs: they may use test-utils, and their imports are not part of
 * the product's graph.
 * @param {string} file
 * @param {string} pkgDir
 */
const isTestSide = (file, pkgDir) =>
  /^(test|tests|bench|examples|experiments)\//.test(relative(pkgDir, file).replaceAll('\\', '/')) ||
  /vitest\.config\.|vite\.config\./.test(file);

/** Every layering problem and cycle under `root` (a checkout of this repository's layout). */
export function checkImports(root = ROOT) {
  /** @type {string[]} */
  const problems = [];
  const packages = workspacePackages(root);
  /** @type {Graph} */
  const graph = new Map();
  /** @param {string} f */
  const rel = (f) => relative(root, f);
  for (const { dir, manifest, name } of packages) {
    const allowed = LAYERS[name];
    if (!allowed) {
      problems.push(
        `${rel(join(dir, 'package.json'))}: package '${name}' has no place in LAYERS (scripts/check-imports.mjs)`,
      );
      continue;
    }
    const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter(
      (d) => d.startsWith(SCOPE),
    );
    for (const dep of declared) {
      const target = dep.replace(SCOPE, '');
      if (!allowed.includes(target))
        problems.push(
          `${rel(join(dir, 'package.json'))}: depends on ${dep}, which is not below ${name} (allowed: ${allowed.join(', ') || 'none'})`,
        );
    }
    for (const file of sourceFiles(dir)) {
      const testSide = isTestSide(file, dir);
      const edges = new Set();
      for (const { specifier, typeOnly } of importsOf(file)) {
        if (specifier.startsWith('.')) {
          const target = resolveRelative(file, specifier);
          // A source file that reaches into another folder by path hides a dependency from
          // this check (tests and configs may share fixtures that way).
          if (target && !testSide && relative(dir, target).startsWith('..'))
            problems.push(
              `${rel(file)}: imports ${specifier} by path from outside its package; import that package by name`,
            );
          else if (target && !testSide) edges.add(target);
          continue;
        }
        if (!specifier.startsWith(SCOPE)) continue;
        const target = specifier.slice(SCOPE.length).split('/')[0];
        if (target === name) continue;
        if (TEST_ONLY.has(target)) {
          if (!testSide)
            problems.push(`${rel(file)}: imports ${specifier}, which is for tests only`);
        } else if (!allowed.includes(target)) {
          problems.push(
            `${rel(file)}: imports ${specifier}, which points up or across the layering (${name} may import: ${allowed.join(', ') || 'nothing'})`,
          );
        } else if (!testSide && !typeOnly && TYPES_ONLY[name]?.includes(target)) {
          problems.push(
            `${rel(file)}: imports values from ${specifier}; ${name} may take only types from it (import type)`,
          );
        } else if (!testSide && !declared.includes(SCOPE + target)) {
          problems.push(
            `${rel(file)}: imports ${specifier}, which ${rel(join(dir, 'package.json'))} does not list in dependencies`,
          );
        }
      }
      if (!testSide) graph.set(file, edges);
    }
  }
  for (const component of cycles(graph)) {
    const path = cyclePath(graph, component);
    const rest = component.filter((f) => !path.includes(f)).map(rel);
    const more = rest.length > 0 ? ` (also in this cycle: ${rest.join(', ')})` : '';
    problems.push(`import cycle: ${path.map(rel).join(' → ')}${more}`);
  }
  return { problems, files: graph.size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { problems, files } = checkImports();
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(`check-imports: ${problems.length} problem(s) in ${files} source files`);
    process.exit(1);
  }
  console.log(`check-imports: no cycles, no upward imports (${files} source files)`);
}
