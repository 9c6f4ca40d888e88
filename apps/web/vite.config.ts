import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * A static build: no server code, no CDN. The bundled models and texts are the files committed
 * under apps/cli/assets, served as they are (Vite's public folder), so the browser app and the CLI
 * ship the same bytes and nothing is duplicated in git. `base: './'` lets the built folder be
 * served from any path (or any static host) and keep working offline once loaded.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: fileURLToPath(new URL('../cli/assets', import.meta.url)),
  resolve: {
    // Workspace packages resolve to their TypeScript sources (see vitest.shared.ts).
    conditions: ['@llm-streamline/source', ...defaultClientConditions],
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
  },
});
