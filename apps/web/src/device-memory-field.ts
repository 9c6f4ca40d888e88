/**
 * The Settings form's "Device memory" input (see device-memory.ts for what it means): a text
 * field checked when its value is committed, its error shown right below it, and a placeholder
 * that says what an empty field means once WebGPU has said which adapter this is.
 */
import {
  DEVICE_MEMORY_HELP,
  DEVICE_MEMORY_ID,
  DEVICE_MEMORY_LABEL,
  defaultDeviceMemoryText,
  readDeviceMemory,
} from './device-memory.js';

const ERROR_ID = `${DEVICE_MEMORY_ID}-error`;

/** The label, the input and its (hidden until needed) error line, to append to a field grid. */
export function deviceMemoryControl(doc: Document): HTMLElement[] {
  const label = doc.createElement('label');
  label.htmlFor = DEVICE_MEMORY_ID;
  label.textContent = DEVICE_MEMORY_LABEL;
  const input = doc.createElement('input');
  input.id = DEVICE_MEMORY_ID;
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.title = DEVICE_MEMORY_HELP;
  input.placeholder = 'default';
  input.setAttribute('aria-describedby', ERROR_ID);
  const error = doc.createElement('p');
  error.id = ERROR_ID;
  error.className = 'field-error';
  error.setAttribute('role', 'alert');
  error.hidden = true;
  // Checked when the value is committed (blur, Enter), not at every keystroke ("256M" on the way
  // to "256MiB" is no error); once an error shows, each keystroke rechecks so it goes when fixed.
  input.addEventListener('change', () => checkQuietly(doc));
  input.addEventListener('input', () => {
    if (!error.hidden) checkQuietly(doc);
  });
  return [label, input, error];
}

/**
 * The field's bytes (undefined: empty, the default applies). An invalid value throws the parse
 * error (which names the field), after showing it below the field.
 */
export function readDeviceMemoryField(doc: Document): number | undefined {
  const input = doc.getElementById(DEVICE_MEMORY_ID) as HTMLInputElement;
  const error = doc.getElementById(ERROR_ID) as HTMLElement;
  try {
    const bytes = readDeviceMemory(input.value);
    error.hidden = true;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    return bytes;
  } catch (e) {
    error.textContent = e instanceof Error ? e.message : String(e);
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    throw e;
  }
}

/** Shows or clears the error line for the current value, without throwing. */
function checkQuietly(doc: Document): void {
  try {
    readDeviceMemoryField(doc);
  } catch {
    // Shown below the field; Run reports it again if it is still there.
  }
}

/** Says in the placeholder what an empty field means on this device. */
export function showDeviceMemoryDefault(doc: Document, budgetBytes: number | undefined): void {
  const input = doc.getElementById(DEVICE_MEMORY_ID) as HTMLInputElement;
  input.placeholder = defaultDeviceMemoryText(budgetBytes);
}
