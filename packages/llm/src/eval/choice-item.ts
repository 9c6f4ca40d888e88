/** The shape every multiple-choice task is read into, whatever its file format. */

/** One scored request: log P(continuation | context), as lm-evaluation-harness's `loglikelihood`. */
export interface ChoiceRequest {
  context: string;
  continuation: string;
}

/** One question: a request per choice, the right choice's index, and acc_norm's lengths. */
export interface MultipleChoiceItem {
  /** One request per choice, in the file's order. */
  requests: ChoiceRequest[];
  /** Index of the right choice in `requests`. */
  gold: number;
  /**
   * Each choice's length in characters (Python's `len`, code points) of the harness's
   * `doc_to_choice` text, without the target delimiter: what acc_norm divides by.
   */
  choiceLengths: number[];
  /** 1-based line of the task file the item came from (for messages). */
  line: number;
}

/** The file formats a task is read from (detected by field names). */
export type TaskFormat = 'generic' | 'hellaswag' | 'piqa' | 'arc' | 'winogrande';

/** A task read from a file. */
export interface MultipleChoiceTask {
  /** Short name: the file name without folder and extension. */
  name: string;
  /** The file, as the caller named it (what messages cite). */
  file: string;
  format: TaskFormat;
  items: MultipleChoiceItem[];
}

/**
 * lm-evaluation-harness's default `target_delimiter`: the continuation scored for a choice is
 * this followed by the choice.
 */
export const TARGET_DELIMITER = ' ';
