/**
 * Builds the Settings panel's pipeline controls at start-up: the metric and replacement choices
 * from the registries, and a labelled input per field of settingsFields(). A metric's or kind's own
 * fields show only while it is chosen; rarely changed options go under "More settings", and so
 * does the device memory budget the model is loaded under.
 */
import { METRICS, REPLACEMENTS } from '@llm-streamline/streamline';
import { deviceMemoryControl } from './device-memory-field.js';
import {
  type FieldOwner,
  FORM_DEFAULTS,
  fieldLabel,
  type SettingsField,
  settingsFields,
} from './settings-fields.js';

/** Fills `#settings-fields` (and its "More settings" part) in `doc`. */
export function renderSettingsForm(doc: Document): void {
  const grid = doc.getElementById('settings-fields') as HTMLElement;
  const more = doc.getElementById('more-settings-fields') as HTMLElement;
  const choices = [
    choice(doc, 'replacement', 'Replacement', REPLACEMENTS, FORM_DEFAULTS.replacement),
    choice(doc, 'metric', 'Redundancy metric', METRICS, FORM_DEFAULTS.metric),
  ];
  for (const [label, select] of choices) grid.append(label, select);
  for (const field of settingsFields()) {
    const [label, input] = control(doc, field);
    (field.spec.advanced ? more : grid).append(label, input);
  }
  // Not a pipeline option: how the model is loaded (see device-memory.ts).
  more.append(...deviceMemoryControl(doc));
  const showChosen = () => {
    for (const el of doc.querySelectorAll<HTMLElement>('[data-owner]')) {
      const select = doc.getElementById(el.dataset.owner as string) as HTMLSelectElement;
      el.hidden = select.value !== el.dataset.ownerName;
    }
  };
  for (const [, select] of choices) select.addEventListener('change', showChosen);
  showChosen();
}

function choice(
  doc: Document,
  id: FieldOwner['select'],
  text: string,
  registry: ReadonlyMap<string, { name: string; description: string; label?: string }>,
  selected: string,
): [HTMLLabelElement, HTMLSelectElement] {
  const select = doc.createElement('select');
  select.id = id;
  for (const entry of registry.values()) {
    const option = new Option(`${entry.name}: ${entry.label ?? entry.description}`, entry.name);
    option.title = entry.description;
    option.selected = entry.name === selected;
    select.append(option);
  }
  return [labelFor(doc, id, text), select];
}

function control(
  doc: Document,
  { spec, initial, owner }: SettingsField,
): [HTMLLabelElement, HTMLElement] {
  let input: HTMLInputElement | HTMLSelectElement;
  if (spec.type === 'choice') {
    input = doc.createElement('select');
    for (const c of spec.choices) input.append(new Option(c, c, false, c === initial));
  } else {
    input = doc.createElement('input');
    if (spec.type === 'boolean') {
      input.type = 'checkbox';
      input.checked = initial === true;
    } else {
      input.type = 'number';
      input.step = spec.type === 'int' ? '1' : 'any';
      if (spec.min !== undefined) input.min = String(spec.min);
      if (spec.max !== undefined) input.max = String(spec.max);
      if (initial !== undefined) input.value = String(initial);
      input.required = initial !== undefined;
      if (spec.defaultText) input.placeholder = spec.defaultText;
    }
  }
  input.id = spec.flag;
  input.title = spec.help;
  const label = labelFor(doc, spec.flag, fieldLabel(spec));
  for (const el of owner ? [label, input] : []) {
    el.dataset.owner = owner?.select;
    el.dataset.ownerName = owner?.name;
  }
  return [label, input];
}

function labelFor(doc: Document, id: string, text: string): HTMLLabelElement {
  const label = doc.createElement('label');
  label.htmlFor = id;
  label.textContent = text;
  return label;
}
