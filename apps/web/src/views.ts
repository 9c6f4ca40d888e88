/** The page's elements that runs write into, looked up once. */
import { LossView } from './ui/loss-view.js';
import { ProgressView } from './ui/progress-view.js';

export interface Views {
  alerts: HTMLElement;
  gpuStatus: HTMLElement;
  modelStatus: HTMLElement;
  run: HTMLButtonElement;
  cancel: HTMLButtonElement;
  generate: HTMLButtonElement;
  saveFolder: HTMLButtonElement;
  progress: ProgressView;
  heatmap: HTMLElement;
  windowText: HTMLElement;
  loss: LossView;
  lossHolder: HTMLElement;
  perplexity: HTMLElement;
  perplexityText: HTMLElement;
  tasks: HTMLElement;
  originalText: HTMLElement;
  prunedText: HTMLElement;
  downloadList: HTMLElement;
  downloadNote: HTMLElement;
}

/** Empties every result panel, back to the page's own placeholders. */
export function clearResults(v: Views, placeholders: Placeholders): void {
  v.heatmap.innerHTML = placeholders.heatmap;
  v.loss.reset(placeholders.loss);
  v.perplexity.innerHTML = placeholders.perplexity;
  v.tasks.innerHTML = placeholders.tasks;
  for (const el of [v.windowText, v.perplexityText, v.originalText, v.prunedText, v.downloadNote])
    el.textContent = '';
}

export interface Placeholders {
  heatmap: string;
  loss: string;
  perplexity: string;
  tasks: string;
}

/** The placeholders index.html puts in the chart holders, read before anything replaces them. */
export function readPlaceholders(v: Views): Placeholders {
  return {
    heatmap: v.heatmap.innerHTML,
    loss: v.lossHolder.innerHTML,
    perplexity: v.perplexity.innerHTML,
    tasks: v.tasks.innerHTML,
  };
}

export function findViews(doc: Document): Views {
  const el = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const found = doc.getElementById(id);
    if (!found) throw new Error(`index.html has no #${id}`);
    return found as T;
  };
  const lossHolder = el('loss');
  return {
    alerts: el('alerts'),
    gpuStatus: el('gpu-status'),
    modelStatus: el('model-status'),
    run: el<HTMLButtonElement>('run'),
    cancel: el<HTMLButtonElement>('cancel'),
    generate: el<HTMLButtonElement>('generate'),
    saveFolder: el<HTMLButtonElement>('save-folder'),
    progress: new ProgressView(el<HTMLProgressElement>('progress'), el('progress-text')),
    heatmap: el('heatmap'),
    windowText: el('window-text'),
    loss: new LossView(lossHolder),
    lossHolder,
    perplexity: el('perplexity'),
    perplexityText: el('perplexity-text'),
    tasks: el('tasks'),
    originalText: el('generation-original'),
    prunedText: el('generation-pruned'),
    downloadList: el('download-list'),
    downloadNote: el('download-note'),
  };
}
