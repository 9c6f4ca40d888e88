import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { SOURCE_CONDITION } from '../../vitest.shared.js';

/**
 * `web:e2e`: one Node test process that builds the app, serves it and drives headless Chromium
 * through Playwright itself (the app is the thing under test, not a module in a browser runner).
 * SwiftShader makes a whole prune take minutes, hence the long timeouts.
 */
export const webE2eProject: TestProjectInlineConfiguration = {
  root: fileURLToPath(new URL('.', import.meta.url)),
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    name: 'web:e2e',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 360_000,
    hookTimeout: 180_000,
  },
};

export default defineConfig({ test: { projects: [webE2eProject] } });
