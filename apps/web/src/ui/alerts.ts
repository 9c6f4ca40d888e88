/**
 * Error messages in the page's role="alert" region: a short title in plain words, then the
 * details (the loaders' messages name the file and what was expected).
 */

/** Shows one error; `id` lets a later call replace it instead of stacking a duplicate. */
export function showError(region: HTMLElement, id: string, title: string, details: string): void {
  clearError(region, id);
  const box = region.ownerDocument.createElement('div');
  box.className = 'error';
  box.dataset.error = id;
  const strong = region.ownerDocument.createElement('strong');
  strong.textContent = title;
  const body = region.ownerDocument.createElement('span');
  body.textContent = details;
  box.append(strong, body);
  region.append(box);
}

/** Removes the error with `id`, or every error when `id` is omitted. */
export function clearError(region: HTMLElement, id?: string): void {
  for (const el of region.querySelectorAll<HTMLElement>('[data-error]'))
    if (id === undefined || el.dataset.error === id) el.remove();
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
