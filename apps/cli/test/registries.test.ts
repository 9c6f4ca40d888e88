/**
 * The registries are the only list: a metric and a replacement kind added in one file each (the
 * fixtures) plus one registry line each appear in `prune --help`, and `--metric`, `--replacement`
 * and their option flags parse into the pipeline's options, without a line of CLI code. Also the
 * old flag name `--replace`, kept as a hidden alias.
 */
import { registerMetric, registerReplacement } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { commandHelp } from '../src/args/help.js';
import { parseCommandArgs } from '../src/args/parse.js';
import { scoringOptions, trainingOptions } from '../src/args/pipeline-flags.js';
import { spec as prune } from '../src/commands/prune.js';
import { spec as score } from '../src/commands/score.js';
import { cosinePowerMetric } from './fixtures/extra-metric.js';
import { narrowFfnReplacement } from './fixtures/extra-replacement.js';

registerMetric(cosinePowerMetric);
registerReplacement(narrowFfnReplacement);

const options = (argv: string[]) => {
  const { values } = parseCommandArgs(prune, argv);
  return { ...scoringOptions(values), ...trainingOptions(values) };
};

describe('a metric and a kind registered from outside', () => {
  it('appear in prune --help with their options, and the metric in score --help', () => {
    const help = commandHelp(prune);
    expect(help).toMatch(
      /--metric NAME +window importance metric: cosine\|angular\|bi\|ppl\|cosine-power/,
    );
    expect(help).toMatch(/--replacement KIND +replacement: none\|layer\|ffn\|linear\|narrow-ffn/);
    expect(help).toMatch(
      /--narrow-width N +narrow-ffn replacement: hidden size of its SwiGLU \(default 16\)/,
    );
    expect(help).toMatch(/--cosine-power x +cosine-power metric: the power p .* \(default 2\)/);
    expect(help).not.toContain('--replace ');
    const scoreHelp = commandHelp(score);
    expect(scoreHelp).toContain('cosine-power');
    expect(scoreHelp).toContain('--cosine-power x');
    // Kind options are fitting options: score does not take them.
    expect(scoreHelp).not.toContain('--narrow-width');
  });

  it('are accepted by the parser, their option flags parsed into typed options', () => {
    const o = options([
      '--metric',
      'cosine-power',
      '--cosine-power',
      '3',
      '--replacement',
      'narrow-ffn',
      '--narrow-width',
      '24',
    ]);
    expect(o).toMatchObject({
      metric: 'cosine-power',
      metricOptions: { power: 3 },
      replacement: 'narrow-ffn',
      replacementOptions: { width: 24 },
    });
    expect(options(['--replacement', 'ffn', '--ffn-hidden', '32'])).toMatchObject({
      replacementOptions: { hidden: 32 },
    });
  });

  it('check option values and owners with errors that name the flag', () => {
    expect(() => options(['--replacement', 'narrow-ffn', '--narrow-width', '0'])).toThrow(
      "--narrow-width must be a whole number ≥ 1, got '0'",
    );
    expect(() => options(['--replacement', 'layer', '--narrow-width', '8'])).toThrow(
      '--narrow-width is an option of the narrow-ffn replacement, not of layer',
    );
    expect(() => options(['--cosine-power', '2'])).toThrow(
      '--cosine-power is an option of the cosine-power metric, not of cosine',
    );
    expect(() => options(['--replacement', 'mlp'])).toThrow(
      "--replacement must be one of none, layer, ffn, linear, narrow-ffn, got 'mlp'",
    );
  });

  it('keeps --replace as a hidden alias of --replacement', () => {
    expect(options(['--replace', 'none']).replacement).toBe('none');
    expect(() => options(['--replace', 'none', '--replacement', 'ffn'])).toThrow(
      'give --replacement or --replace (its old name), not both',
    );
  });

  it('refuses a second registration under a taken name', () => {
    expect(() => registerMetric(cosinePowerMetric)).toThrow(/already registered/);
    expect(() => registerReplacement(narrowFfnReplacement)).toThrow(/already registered/);
  });
});
