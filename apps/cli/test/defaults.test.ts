/**
 * Every default `--help` shows for a pipeline option is STREAMLINE_DEFAULTS' value (the one defaults
 * object), and the help text says it; the defaults give the minimum training budget.
 */
import {
  budgetWarnings,
  MIN_OPTIMISER_STEPS,
  PIPELINE_OPTIONS,
  STREAMLINE_DEFAULTS,
  trainingSteps,
} from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { prune } from '../src/commands/prune.js';
import { score } from '../src/commands/score.js';
import { runCli } from './helpers.js';

describe('defaults', () => {
  for (const command of [prune, score]) {
    const { flags, name } = command.spec;
    it(`${name}: every pipeline flag's default is STREAMLINE_DEFAULTS'`, async () => {
      const help = (await runCli([name, '--help'])).stdout;
      const shown = PIPELINE_OPTIONS.filter((s) => s.type !== 'boolean' && flags[s.flag]);
      expect(shown.length).toBeGreaterThan(name === 'prune' ? 10 : 4);
      for (const s of shown) {
        const expected = STREAMLINE_DEFAULTS[s.name];
        expect(flags[s.flag]?.default, s.flag).toBe(String(expected));
        // The description follows on the flag's line, or on the next when the flag is long.
        expect(help, s.flag).toMatch(
          new RegExp(`--${s.flag}\\b[^\\n]*(\\n {20,}[^\\n]*)?\\(default ${expected}\\)`),
        );
      }
      expect(flags.metric?.default).toBe(STREAMLINE_DEFAULTS.metric);
      expect(flags.replacement?.default).toBe(STREAMLINE_DEFAULTS.replacement);
    });
  }

  it('prune offers --keep best|replaced|removal, default best', () => {
    expect(prune.spec.flags.keep?.default).toBe('best');
    expect(STREAMLINE_DEFAULTS.keep).toBe('best');
  });

  it(`the defaults give at least ${MIN_OPTIMISER_STEPS} optimiser steps, without a warning`, () => {
    expect(trainingSteps(STREAMLINE_DEFAULTS)).toBeGreaterThanOrEqual(MIN_OPTIMISER_STEPS);
    expect(budgetWarnings(STREAMLINE_DEFAULTS, true)).toEqual([]);
  });
});
