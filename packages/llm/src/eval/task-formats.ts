/**
 * The public JSONL releases of HellaSwag, PIQA, ARC and WinoGrande, and the generic
 * `{context, choices, gold}`, each turned into requests exactly as lm-evaluation-harness's task of
 * that name builds them (lm_eval/tasks/<task>/: the yaml's doc_to_text / doc_to_choice /
 * doc_to_target and the task's utils). A reader throws {@link FieldError} naming the field and
 * what was expected; the file reader adds the file and line.
 */
import {
  type ChoiceRequest,
  type MultipleChoiceItem,
  TARGET_DELIMITER,
  type TaskFormat,
} from './choice-item.js';
import { pyCapitalize, pyLength, pyStrip } from './python-text.js';

/** A field missing or malformed in one JSON line; the message says which and what was expected. */
export class FieldError extends Error {
  override name = 'FieldError';
}

type Doc = Record<string, unknown>;
type ItemBody = Omit<MultipleChoiceItem, 'line'>;

/** Reads one parsed line of a format into an item (without its line number). */
export type FormatReader = (doc: Doc) => ItemBody;

/** Which format a line is, from its field names; undefined when none fits. */
export function detectFormat(doc: Doc): TaskFormat | undefined {
  const has = (k: string) => Object.hasOwn(doc, k);
  if (has('endings') || has('ctx_a')) return 'hellaswag';
  if (has('sol1') || has('goal')) return 'piqa';
  if (has('option1') || has('sentence')) return 'winogrande';
  if (has('answerKey') || has('question')) return 'arc';
  if (has('context') || has('choices') || has('gold')) return 'generic';
  return undefined;
}

/** `{context, choices[], gold}`: each choice scored after the context and the target delimiter. */
function readGeneric(doc: Doc): ItemBody {
  const context = stringField(doc, 'context', { allowEmpty: true });
  const choices = stringList(doc, 'choices');
  return questionWithChoices(context, choices, indexField(doc, 'gold', choices.length));
}

/**
 * HellaSwag (rowanz/hellaswag's jsonl, or Rowan/hellaswag): the harness's `process_docs`: query =
 * preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()), choices = the preprocessed
 * endings, gold = int(label).
 */
function readHellaswag(doc: Doc): ItemBody {
  const ctx = `${stringField(doc, 'ctx_a', { allowEmpty: true })} ${pyCapitalize(stringField(doc, 'ctx_b', { allowEmpty: true }))}`;
  const query = hellaswagPreprocess(
    `${stringField(doc, 'activity_label', { allowEmpty: true })}: ${ctx}`,
  );
  const choices = stringList(doc, 'endings').map(hellaswagPreprocess);
  return questionWithChoices(query, choices, indexField(doc, 'label', choices.length));
}

/** The harness's hellaswag `preprocess`: WikiHow's bracketed artefacts removed. */
export function hellaswagPreprocess(text: string): string {
  return pyStrip(text)
    .replaceAll(' [title]', '. ')
    .replace(/\[.*?\]/g, '')
    .replaceAll('  ', ' ');
}

/**
 * PIQA (ybisk/piqa, or the Hugging Face copy with the label in the row): "Question: {goal}\nAnswer:"
 * against [sol1, sol2]. The original release keeps labels in a separate .lst file: merge them in as
 * `label` first.
 */
function readPiqa(doc: Doc): ItemBody {
  const goal = stringField(doc, 'goal');
  const choices = [stringField(doc, 'sol1'), stringField(doc, 'sol2')];
  if (!Object.hasOwn(doc, 'label'))
    throw new FieldError(
      'missing field "label" (the original PIQA release keeps labels in a separate -labels.lst file: add each as "label": 0 or 1)',
    );
  return questionWithChoices(`Question: ${goal}\nAnswer:`, choices, indexField(doc, 'label', 2));
}

/**
 * ARC (allenai's jsonl: question.stem and question.choices[{text, label}]; or the Hugging Face
 * flattening: question, choices.text[], choices.label[]): "Question: {question}\nAnswer:" against the
 * choice texts; gold = the index of answerKey among the labels.
 */
function readArc(doc: Doc): ItemBody {
  const q = doc.question;
  let question: string;
  let texts: string[];
  let labels: string[];
  if (typeof q === 'object' && q !== null && !Array.isArray(q)) {
    const nested = q as Doc;
    question = stringField(nested, 'stem', { path: 'question.stem' });
    const list = nested.choices;
    if (!Array.isArray(list) || list.length === 0)
      throw new FieldError(
        `question.choices must be a non-empty list of {text, label}, got ${describe(list)}`,
      );
    texts = list.map((c, i) =>
      stringField(c as Doc, 'text', { path: `question.choices[${i}].text` }),
    );
    labels = list.map((c, i) =>
      stringField(c as Doc, 'label', { path: `question.choices[${i}].label` }),
    );
  } else {
    question = stringField(doc, 'question');
    const choices = doc.choices;
    if (typeof choices !== 'object' || choices === null || Array.isArray(choices))
      throw new FieldError(
        `choices must be {text: [...], label: [...]} (or question must be {stem, choices}), got ${describe(choices)}`,
      );
    texts = stringList(choices as Doc, 'text', 'choices.text');
    labels = stringList(choices as Doc, 'label', 'choices.label');
    if (labels.length !== texts.length)
      throw new FieldError(
        `choices.label has ${labels.length} entries but choices.text has ${texts.length}`,
      );
  }
  const answerKey = stringField(doc, 'answerKey');
  const gold = labels.indexOf(answerKey);
  if (gold < 0)
    throw new FieldError(
      `answerKey "${answerKey}" is not one of the choice labels ${labels.map((l) => `"${l}"`).join(', ')}`,
    );
  return questionWithChoices(`Question: ${question}\nAnswer:`, texts, gold);
}

/**
 * WinoGrande (allenai/winogrande's jsonl): partial evaluation, as the harness's
 * preprocess_winogrande: each option fills the blank to make a different context
 * (sentence[:i] + option), and the continuation scored after each is the rest of the sentence
 * (" " + sentence[i+1:].strip()). gold = answer − 1. acc_norm divides by the length of each
 * filled-in context (the harness's doc_to_choice), although its winogrande task reports acc only.
 */
function readWinogrande(doc: Doc): ItemBody {
  const sentence = stringField(doc, 'sentence');
  const blank = sentence.indexOf('_');
  if (blank < 0) throw new FieldError(`sentence has no "_" blank: "${sentence}"`);
  const options = [stringField(doc, 'option1'), stringField(doc, 'option2')];
  const answer = doc.answer;
  if (answer !== '1' && answer !== '2' && answer !== 1 && answer !== 2)
    throw new FieldError(`answer must be "1" or "2", got ${describe(answer)}`);
  const contexts = options.map((o) => sentence.slice(0, blank) + o);
  const target = pyStrip(sentence.slice(blank + 1));
  return {
    requests: contexts.map((context) => ({ context, continuation: TARGET_DELIMITER + target })),
    gold: Number(answer) - 1,
    choiceLengths: contexts.map(pyLength),
  };
}

export const FORMAT_READERS: Record<TaskFormat, FormatReader> = {
  generic: readGeneric,
  hellaswag: readHellaswag,
  piqa: readPiqa,
  arc: readArc,
  winogrande: readWinogrande,
};

/** The usual shape: one context, each choice scored after it and the target delimiter. */
function questionWithChoices(context: string, choices: readonly string[], gold: number): ItemBody {
  const requests: ChoiceRequest[] = choices.map((c) => ({
    context,
    continuation: TARGET_DELIMITER + c,
  }));
  return { requests, gold, choiceLengths: choices.map(pyLength) };
}

function stringField(
  doc: Doc,
  key: string,
  { allowEmpty = false, path = key }: { allowEmpty?: boolean; path?: string } = {},
): string {
  if (typeof doc !== 'object' || doc === null || !Object.hasOwn(doc, key))
    throw new FieldError(`missing field "${path}"`);
  const v = doc[key];
  if (typeof v !== 'string') throw new FieldError(`${path} must be a string, got ${describe(v)}`);
  if (!allowEmpty && v.length === 0) throw new FieldError(`${path} is empty`);
  return v;
}

/** A list of at least two non-empty strings. */
function stringList(doc: Doc, key: string, path = key): string[] {
  if (!Object.hasOwn(doc, key)) throw new FieldError(`missing field "${path}"`);
  const v = doc[key];
  if (!Array.isArray(v))
    throw new FieldError(`${path} must be a list of strings, got ${describe(v)}`);
  if (v.length < 2)
    throw new FieldError(
      `${path} has ${v.length} entries; a multiple-choice item needs at least 2`,
    );
  v.forEach((c, i) => {
    if (typeof c !== 'string' || c.length === 0)
      throw new FieldError(`${path}[${i}] must be a non-empty string, got ${describe(c)}`);
  });
  return v as string[];
}

/** An index into `count` choices, given as an integer or a string of one (HF's `label: "2"`). */
function indexField(doc: Doc, key: string, count: number): number {
  if (!Object.hasOwn(doc, key)) throw new FieldError(`missing field "${key}"`);
  const v = doc[key];
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new FieldError(`${key} must be an integer index, got ${describe(v)}`);
  if (n < 0 || n >= count)
    throw new FieldError(
      `${key} ${n} is out of range: expected 0…${count - 1} for ${count} choices`,
    );
  return n;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
