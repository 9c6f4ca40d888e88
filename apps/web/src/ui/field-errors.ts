/**
 * An error shown right below the form field it is about (`#ID-error`, made on first use), so a
 * setting the loaded model cannot take is reported where it is changed, not far away.
 */

/** A setting that does not fit: `field` is the input's id. */
export class FieldError extends Error {
  override name = 'FieldError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Shows `message` below the field `id` and marks the input invalid. */
export function showFieldError(doc: Document, id: string, message: string): void {
  const input = doc.getElementById(id);
  if (!input) throw new Error(`index.html has no #${id}`);
  const errorId = `${id}-error`;
  let error = doc.getElementById(errorId);
  if (!error) {
    error = doc.createElement('p');
    error.id = errorId;
    error.className = 'field-error';
    error.setAttribute('role', 'alert');
    input.insertAdjacentElement('afterend', error);
    input.setAttribute('aria-describedby', errorId);
  }
  error.textContent = message;
  error.hidden = false;
  input.setAttribute('aria-invalid', 'true');
}

/** Hides the field's error, if it shows one. */
export function clearFieldError(doc: Document, id: string): void {
  const error = doc.getElementById(`${id}-error`);
  if (error) {
    error.hidden = true;
    error.textContent = '';
  }
  doc.getElementById(id)?.removeAttribute('aria-invalid');
}
