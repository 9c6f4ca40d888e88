import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { webE2eProject } from './apps/web/vitest.config.js';
import { packageProjects } from './vitest.shared.js';

const packageDirs = [
  'packages/tensor',
  'packages/autograd',
  'packages/llm',
  'packages/streamline',
  'packages/report',
  'packages/test-utils',
];
/** Node-only packages: no Chromium project. */
const nodeOnlyDirs = ['apps/cli'];

export default defineConfig({
  test: {
    // One file at a time: the machine is small and WebGPU is emulated on the CPU.
    fileParallelism: false,
    projects: [
      ...packageDirs.flatMap((dir) => packageProjects(resolve(import.meta.dirname, dir))),
      ...nodeOnlyDirs.flatMap((dir) =>
        packageProjects(resolve(import.meta.dirname, dir), { browser: false }),
      ),
      webE2eProject,
      // The repository's own scripts (the import-graph check).
      {
        test: {
          name: 'scripts:node',
          root: import.meta.dirname,
          include: ['scripts/**/*.test.mjs'],
          environment: 'node',
        },
      },
    ],
  },
});
