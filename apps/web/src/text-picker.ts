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

export function calibrationPicker(doc: Document): TextPicker {
  return new TextPicker(
    doc.getElementById('calibration-choice') as HTMLSelectElement,
    doc.getElementById('calibration-file') as HTMLInputElement,
    BUNDLED_CALIBRATION,
    [...doc.querySelectorAll<HTMLElement>('.local-text')],
  );
}

export function evaluationPicker(doc: Document): TextPicker {
  return new TextPicker(
    doc.getElementById('evaluation-choice') as HTMLSelectElement,
    doc.getElementById('evaluation-file') as HTMLInputElement,
    BUNDLED_EVALUATION,
    [...doc.querySelectorAll<HTMLElement>('.local-eval')],
  );
}

/** The multiple-choice task file (JSONL); parse it with llm's parseTaskFile. */
export function taskPicker(doc: Document): TextPicker {
  return new TextPicker(
    doc.getElementById('task-choice') as HTMLSelectElement,
    doc.getElementById('task-file') as HTMLInputElement,
    BUNDLED_TASK,
    [...doc.querySelectorAll<HTMLElement>('.local-task')],
  );
}
