import type { ReplacementKind } from './replacement.js';

/** Plain removal: the window's m = n layers are deleted and nothing takes their place. */
export const noReplacement: ReplacementKind = {
  name: 'none',
  description: 'remove the layers, put nothing in their place',
  label: 'plain removal',
  windowSize: (n) => n,
  create: () => undefined,
  fit: 'none',
};
