/**
 * Reading flag values into numbers and choices, with errors that name the flag, the value given
 * and what is expected (a usage error, exit 2).
 */
import { parseByteSize } from '@llm-streamline/llm';
import { UsageError } from '../errors.js';
import type { ParsedArgs } from './parse.js';

export type Values = ParsedArgs['values'];

function raw(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole number flag in [min, max] (either bound optional); undefined when absent. */
export function intFlag(
  values: Values,
  name: string,
  range: { min?: number; max?: number },
): number | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  const value = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  const { min, max } = range;
  const expected =
    min !== undefined && max !== undefined
      ? `a whole number from ${min} to ${max}`
      : min !== undefined
        ? `a whole number ≥ ${min}`
        : max !== undefined
          ? `a whole number ≤ ${max}`
          : 'a whole number';
  if (
    !Number.isSafeInteger(value) ||
    (min !== undefined && value < min) ||
    (max !== undefined && value > max)
  )
    throw new UsageError(`--${name} must be ${expected}, got '${text}'`);
  return value;
}

/** A number flag; `min`/`max` inclusive unless `exclusive`. */
export function numberFlag(
  values: Values,
  name: string,
  range: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean } = {},
): number | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const { min, max, exclusiveMin = false, exclusiveMax = false } = range;
  const tooLow = min !== undefined && (exclusiveMin ? value <= min : value < min);
  const tooHigh = max !== undefined && (exclusiveMax ? value >= max : value > max);
  if (!Number.isFinite(value) || tooLow || tooHigh) {
    const parts: string[] = [];
    if (min !== undefined) parts.push(`${exclusiveMin ? '>' : '≥'} ${min}`);
    if (max !== undefined) parts.push(`${exclusiveMax ? '<' : '≤'} ${max}`);
    throw new UsageError(
      `--${name} must be a number${parts.length ? ` ${parts.join(' and ')}` : ''}, got '${text}'`,
    );
  }
  return value;
}

/** One of `choices`. */
export function enumFlag<T extends string>(
  values: Values,
  name: string,
  choices: readonly T[],
): T | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}

/** A string flag (a path, a prompt). */
export function stringFlag(values: Values, name: string): string | undefined {
  return raw(values, name);
}

/** A boolean flag. */
export function boolFlag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** `--layers n` or `--ratio r` (not both), as the pipeline's removal target. */
export function removalTarget(values: Values): { layers: number } | { ratio: number } | undefined {
  const layers = intFlag(values, 'layers', { min: 1 });
  const ratio = numberFlag(values, 'ratio', {
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
  });
  if (layers !== undefined && ratio !== undefined)
    throw new UsageError('give --layers or --ratio, not both');
  if (layers !== undefined) return { layers };
  if (ratio !== undefined) return { ratio };
  return undefined;
}

/** A memory size flag (`64MiB`, `1.5GiB`) in bytes; undefined when absent. */
export function byteSizeFlag(values: Values, name: string): number | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  try {
    return parseByteSize(text, `--${name}`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
