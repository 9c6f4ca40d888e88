/**
 * Hugging Face Hub model ids as MODEL arguments: `org/name` or `org/name@revision`, with the same
 * grammar as Python's huggingface_hub (`validate_repo_id`), so an id that works there works here.
 */

/** A parsed model id. */
export interface HubId {
  /** `org/name`. */
  repo: string;
  /** A branch, tag or commit; `main` when the id gives none. */
  revision: string;
  /** Whether `@revision` was written (for error messages). */
  explicitRevision: boolean;
}

/** What a model id looks like, for the hint of errors about one. */
export const HUB_ID_HINT =
  'a Hugging Face model id looks like org/name or org/name@revision (letters, digits, "-", "_" and "."; ' +
  'e.g. TinyLlama/TinyLlama-1.1B-Chat-v1.0@main)';

// One part of a repo id: huggingface_hub's REPO_ID_REGEX part, without leading/trailing - or .
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
// Branches and tags may hold "/" (refs/pr/1) but no whitespace, "..", or control characters.
const REVISION = /^[A-Za-z0-9_.\-/]+$/;
const MAX_REPO_LENGTH = 96;

/** `text` as a model id, or a one-line reason why it is not one. */
export function parseHubId(text: string): HubId | { error: string } {
  const at = text.indexOf('@');
  const repo = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? undefined : text.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length !== 2) return { error: `"${repo}" has ${parts.length - 1} "/", expected one` };
  for (const part of parts) {
    if (part === '') return { error: `"${repo}" has an empty part` };
    if (!PART.test(part))
      return { error: `"${part}" has a character other than letters, digits, "-", "_", "."` };
    if (part.includes('--') || part.includes('..'))
      return { error: `"${part}" holds "--" or "..", which ids may not` };
  }
  if (repo.length > MAX_REPO_LENGTH)
    return {
      error: `"${repo}" is ${repo.length} characters long, at most ${MAX_REPO_LENGTH} allowed`,
    };
  if (
    revision !== undefined &&
    (revision === '' || !REVISION.test(revision) || revision.includes('..'))
  )
    return { error: `"@${revision}" is not a revision (a branch, tag or commit)` };
  return { repo, revision: revision ?? 'main', explicitRevision: revision !== undefined };
}

/** Whether `text` is shaped like a path rather than an id (so a missing one is "no such file"). */
export function looksLikePath(text: string): boolean {
  return (
    /^(\.{1,2}|~)?[/\\]/.test(text) ||
    text.startsWith('~') ||
    /^[A-Za-z]:[/\\]/.test(text) ||
    /\.(gguf|bin|safetensors|json)$/i.test(text)
  );
}
