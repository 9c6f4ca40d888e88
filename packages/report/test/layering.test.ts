/**
 * The report depends on the report's JSON type only: every import from another workspace package
 * in src/ is `import type`, erased at compile time, so drawing a chart loads nothing of the
 * pipeline, the models or the GPU. Node only (it reads the sources).
 */
import { describe, expect, it } from 'vitest';

describe.skipIf(typeof document !== 'undefined')('layering', () => {
  it('src/ takes only types from other @llm-streamline packages', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const src = join(import.meta.dirname, '../src');
    const found: string[] = [];
    for (const name of await readdir(src)) {
      const text = await readFile(join(src, name), 'utf8');
      for (const [statement] of text.matchAll(
        /^(?:import|export)\b[^;]*?\bfrom\s+'@llm-streamline\/[^']*'|\bimport\(\s*'@llm-streamline\//gm,
      ))
        if (!/^(?:import|export) type\b/.test(statement)) found.push(`${name}: ${statement}`);
    }
    expect(found).toEqual([]);
  });
});
