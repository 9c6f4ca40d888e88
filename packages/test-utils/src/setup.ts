/**
 * The vitest setup file of every package project (vitest.shared.ts `setupFiles`): registers the
 * custom matchers, so a test calls `expect(x).toBeAllclose(y)` without importing anything.
 */
import { expect } from 'vitest';
import { toBeAllclose } from './to-be-allclose.js';

expect.extend({ toBeAllclose });
