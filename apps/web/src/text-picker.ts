/** Calibration and evaluation text and the task file: bundled, a local file, or (not calibration) none. */
import {
  BUNDLED_CALIBRATION,
  BUNDLED_EVALUATION,
  BUNDLED_TASK,
  fetchAsset,
} from './bundled-assets.js';

export interface ChosenText {
  text: string;
  source: string;
}

export class TextPicker {
  constructor(
    private readonly select: HTMLSelectElement,
    private readonly file: HTMLInputElement,
    private readonly bundledPath: string,
    fileControls: readonly HTMLElement[],
  ) {
    select.addEventListener('change', () => {
      for (const el of fileControls) el.hidden = select.value !== 'local';
    });
  }

  /** The chosen text; undefined for "none"; throws naming the file when it is empty or not text. */
  async current(): Promise<ChosenText | undefined> {
    if (this.select.value === 'none') return undefined;
    if (this.select.value === 'bundled')
      return { text: await (await fetchAsset(this.bundledPath)).text(), source: this.bundledPath };
    const file = this.file.files?.[0];
    const label = this.select.labels?.[0]?.textContent?.trim() ?? 'text';
    if (!file) throw new Error(`${label}: no file is picked yet.`);
    const text = await file.text();
    if (text.trim().length === 0 || text.includes('\u0000'))
      throw new Error(
        `${file.name}: expected a UTF-8 text file, but it is ${text.trim().length === 0 ? 'empty' : 'binary'}.`,
      );
    return { text, source: file.name };
  }
}

/** The picker whose controls are `#NAME-choice`, `#NAME-file` and the elements of `fileClass`. */
function pickerOf(doc: Document, name: string, bundledPath: string, fileClass: string): TextPicker {
  return new TextPicker(
    doc.getElementById(`${name}-choice`) as HTMLSelectElement,
    doc.getElementById(`${name}-file`) as HTMLInputElement,
    bundledPath,
    [...doc.querySelectorAll<HTMLElement>(`.${fileClass}`)],
  );
}

export function calibrationPicker(doc: Document): TextPicker {
  return pickerOf(doc, 'calibration', BUNDLED_CALIBRATION, 'local-text');
}

export function evaluationPicker(doc: Document): TextPicker {
  return pickerOf(doc, 'evaluation', BUNDLED_EVALUATION, 'local-eval');
}

/** The multiple-choice task file (JSONL); parse it with llm's parseTaskFile. */
export function taskPicker(doc: Document): TextPicker {
  return pickerOf(doc, 'task', BUNDLED_TASK, 'local-task');
}
