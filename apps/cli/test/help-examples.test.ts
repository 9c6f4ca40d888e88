/**
 * Every example in every command's --help runs, as written, with small settings appended (later
 * flags win) so that the whole set takes minutes, in a folder that holds the files the examples
 * name: stories260K.bin, model.gguf, model-folder, calib.txt, hellaswag_val.jsonl, … Prune
 * examples run first and get --force, so `pruned` is the latest prune's output when eval,
 * generate and convert use it.
 */
import { copyFile, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../packages/streamline/test/schema-check.js';
import { COMMANDS } from '../src/cli.js';
import { ASSETS, HELDOUT, startCli, TINY_12L, tempDir } from './helpers.js';

/** Per command, what keeps its examples small. */
const SMALL: Record<string, string[]> = {
  prune: [
    '--block-length',
    '32',
    '--scoring-blocks',
    '2',
    '--training-blocks',
    '4',
    '--validation-blocks',
    '2',
    '--batch',
    '2',
    '--epochs',
    '1',
    '--eval-blocks',
    '2',
    '--no-baselines',
    '--force',
  ],
  eval: ['--blocks', '2', '--block-length', '64'],
  score: ['--scoring-blocks', '2', '--block-length', '32'],
  generate: ['--max-tokens', '8'],
  inspect: [],
  convert: [],
};

/** Words of a shell command line: spaces separate, double quotes group. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]) as string);
}

const EXAMPLES = ['prune', 'convert', 'inspect', 'score', 'eval', 'generate'].flatMap((name) => {
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) throw new Error(`no command ${name}`);
  return command.spec.examples.map((e) => ({ name, line: e.command }));
});

let cwd: string;

function run(args: string[]) {
  return startCli(args, { cwd }).done;
}

beforeAll(async () => {
  cwd = await tempDir();
  for (const f of ['stories260K.bin', 'tok512.bin', 'tok512.model'])
    await copyFile(join(ASSETS, 'stories260K', f), join(cwd, f));
  await copyFile(join(ASSETS, 'stories260K', 'tok512.model'), join(cwd, 'tokenizer.model'));
  await cp(TINY_12L, join(cwd, 'model-folder'), { recursive: true });
  const text = (await readFile(HELDOUT, 'utf8')).slice(0, 20_000);
  for (const f of ['calib.txt', 'heldout.txt', 'stories.txt', 'my.txt'])
    await writeFile(join(cwd, f), text);
  const hellaswag = (label: number) =>
    JSON.stringify({
      activity_label: 'Playing',
      ctx_a: 'A girl throws a ball to her dog.',
      ctx_b: 'the dog',
      endings: ['runs after it.', 'reads a book.', 'cooks dinner.', 'drives a car.'],
      label,
    });
  await writeFile(join(cwd, 'hellaswag_val.jsonl'), [0, 1, 0].map(hellaswag).join('\n'));
  const gguf = await run(['convert', 'stories260K.bin', 'model.gguf', '--to', 'gguf']);
  expect(gguf.code, gguf.stderr).toBe(0);
}, 120_000);

describe('every --help example runs', () => {
  it('has examples for every command', () => {
    expect(new Set(EXAMPLES.map((e) => e.name)).size).toBe(COMMANDS.length);
  });

  for (const { name, line } of EXAMPLES)
    it(line, async () => {
      const [tool, ...args] = words(line);
      expect(tool).toBe('llm-streamline');
      // The bundled task is 314 items: a few make the point.
      const small = [...(SMALL[name] ?? []), ...(args.includes('--tasks') ? ['--limit', '3'] : [])];
      const result = await run([...args, ...small]);
      expect(result.code, `${line}\n${result.stderr}`).toBe(0);
      expect(result.stderr).not.toMatch(/^llm-streamline: /m);
      // What a prune example writes fits the shipped schema.
      const out = args[args.indexOf('--out') + 1];
      if (name === 'prune' && out)
        expect(
          schemaErrors(JSON.parse(await readFile(join(cwd, out, 'streamline.json'), 'utf8'))),
        ).toEqual([]);
    }, 600_000);
});
