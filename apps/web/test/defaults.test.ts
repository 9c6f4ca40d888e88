/**
 * The web form's starting values are STREAMLINE_DEFAULTS with the browser preset on top, and
 * nothing else: every general field starts at the preset's value or the shared default, the preset
 * only sets options the defaults object has, and its training budget needs no warning.
 */
import {
  budgetWarnings,
  MIN_OPTIMISER_STEPS,
  PIPELINE_OPTIONS,
  STREAMLINE_DEFAULTS,
  trainingSteps,
} from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { FORM_DEFAULTS, settingsFields } from '../src/settings-fields.js';
import { WEB_PRESET } from '../src/web-preset.js';

describe('web form defaults', () => {
  it('every general field starts at the preset value or STREAMLINE_DEFAULTS', () => {
    const general = settingsFields().filter((f) => !f.owner);
    expect(general.map((f) => f.spec.name)).toEqual(PIPELINE_OPTIONS.map((s) => s.name));
    for (const { spec, initial } of general) {
      const name = spec.name as keyof typeof STREAMLINE_DEFAULTS;
      expect(initial, name).toBe(name in WEB_PRESET ? WEB_PRESET[name] : STREAMLINE_DEFAULTS[name]);
    }
    expect(FORM_DEFAULTS.metric).toBe(STREAMLINE_DEFAULTS.metric);
    expect(FORM_DEFAULTS.replacement).toBe(STREAMLINE_DEFAULTS.replacement);
    expect(FORM_DEFAULTS.keep).toBe('best');
  });

  it('the preset only sets options of the defaults object', () => {
    for (const key of Object.keys(WEB_PRESET))
      expect(Object.keys(STREAMLINE_DEFAULTS)).toContain(key);
  });

  it(`the preset trains for at least ${MIN_OPTIMISER_STEPS} optimiser steps, without a warning`, () => {
    expect(trainingSteps(FORM_DEFAULTS)).toBeGreaterThanOrEqual(MIN_OPTIMISER_STEPS);
    expect(budgetWarnings(FORM_DEFAULTS, true)).toEqual([]);
  });
});
