/**
 * Where the Hub is and where its files go, from the same environment variables as Python's
 * huggingface_hub, so both tools share one cache and one token.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Hub settings a download uses. */
export interface HubSettings {
  /** `HF_ENDPOINT`, default https://huggingface.co. */
  endpoint: string;
  /** `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (XDG_CACHE_HOME honoured). */
  cacheDir: string;
  /** `HF_TOKEN` (for gated and private models). */
  token: string | undefined;
  /** `HF_HUB_OFFLINE` set to a true value: use the cache only. */
  offline: boolean;
}

const TRUE_VALUES = new Set(['1', 'on', 'yes', 'true']);

/** The settings from `env` (the CLI's io.env, so tests can pass their own). */
export function hubSettings(env: Readonly<Record<string, string | undefined>>): HubSettings {
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return {
    endpoint: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    cacheDir: env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(home, 'hub'),
    token: env.HF_TOKEN === '' ? undefined : env.HF_TOKEN,
    offline: TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? '').toLowerCase()),
  };
}
