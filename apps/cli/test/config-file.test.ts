/**
 * `--config FILE`: flags from YAML or JSON by their own names, overridden by the command line; an
 * unknown key names the closest flag; a value of the wrong type names the key.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closest } from '../src/args/config-file.js';
import { parseCommandArgs } from '../src/args/parse.js';
import { spec as prune } from '../src/commands/prune.js';
import { runCli, STORIES_BIN, tempDir } from './helpers.js';

async function configFile(name: string, text: string): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, text);
  return file;
}

describe('--config', () => {
  it('reads YAML by flag name; the command line overrides it', async () => {
    const file = await configFile(
      'run.yaml',
      'layers: 2\nblock-length: 64\nno-eval: true\nkeep: removal\ntasks: [a.jsonl, story-endings]\nexclude-last-layer: false\n',
    );
    const args = parseCommandArgs(prune, ['--config', file, '--layers', '3', '--out', 'x']);
    expect(args.values).toMatchObject({
      layers: '3',
      'block-length': '64',
      'no-eval': true,
      keep: 'removal',
      tasks: 'a.jsonl,story-endings',
      out: 'x',
    });
    expect(args.values['exclude-last-layer']).toBeUndefined();
  });

  it('reads JSON too', async () => {
    const file = await configFile('run.json', '{"epochs": 2, "lr": 0.0005, "json": true}');
    const args = parseCommandArgs(prune, ['--config', file]);
    expect(args.values).toMatchObject({ epochs: '2', lr: '0.0005' });
    expect(args.json).toBe(true);
  });

  it('names an unknown key and the closest flag', async () => {
    const file = await configFile('typo.yaml', 'epoch: 3\n');
    expect(() => parseCommandArgs(prune, ['--config', file])).toThrow(
      expect.objectContaining({
        message: `--config ${file}: unknown key 'epoch'`,
        hint: "did you mean 'epochs'? (keys are the flags' names)",
      }),
    );
    expect(closest('blocklength', ['block-length', 'batch'])).toBe('block-length');
    expect(closest('zzzzzz', ['block-length', 'batch'])).toBeUndefined();
  });

  it('names a key whose value has the wrong type, and a file that is not a mapping', async () => {
    const bad = await configFile('bad.yaml', 'no-eval: 3\n');
    expect(() => parseCommandArgs(prune, ['--config', bad])).toThrow(
      `--config ${bad}: 'no-eval' must be true or false, got 3`,
    );
    const list = await configFile('list.yaml', '- layers\n- 2\n');
    expect(() => parseCommandArgs(prune, ['--config', list])).toThrow(
      'expected a mapping of flag names to values, got a list',
    );
  });

  it('works end to end: a usage error exits 2, a good file is used', async () => {
    const typo = await configFile('typo.yaml', 'per-layers: true\n');
    const bad = await runCli(['inspect', STORIES_BIN, '--config', typo]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown key 'per-layers' — did you mean 'per-layer'?");
    const good = await configFile('inspect.yaml', 'per-layer: true\njson: true\n');
    const run = await runCli(['inspect', STORIES_BIN, '--config', good]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\{"type":"result"/m);
  });
});
