/**
 * Wiring: WebGPU start-up, the model and text pickers, Run/Cancel, "generate again", downloads.
 * Each piece of work lives in its own module; this file only connects them to the page.
 */
import { MemoryBudgetError, parseTaskFile } from '@llm-streamline/llm';
import { computerMemoryGiB, defaultDeviceMemory, inPageTerms } from './device-memory.js';
import { showDeviceMemoryDefault } from './device-memory-field.js';
import { directoryPicker, saveToFolder } from './downloads.js';
import { streamGeneration } from './generation.js';
import type { ModelInput } from './model-input.js';
import { loadModelInput } from './model-loader.js';
import { ModelPicker } from './model-picker.js';
import { memoryBudget, type RunOutcome, runSession } from './run-session.js';
import { readSettings } from './settings.js';
import { renderSettingsForm } from './settings-form.js';
import {
  type BufferLimits,
  checkFitsAdapter,
  formatBytes,
  largestTensor,
  ModelTooBigError,
} from './size-check.js';
import { hooks, logitsOf, setState } from './test-hooks.js';
import { calibrationPicker, evaluationPicker, taskPicker } from './text-picker.js';
import { clearError, messageOf, showError } from './ui/alerts.js';
import { clearDownloadList } from './ui/download-list.js';
import { clearFieldError, FieldError, showFieldError } from './ui/field-errors.js';
import { clearResults, findViews, readPlaceholders } from './views.js';
import { startWebGpu } from './webgpu-status.js';

// The pipeline controls are generated from the registries before anything looks them up.
renderSettingsForm(document);
const v = findViews(document);
const placeholders = readPlaceholders(v);
let limits: BufferLimits | undefined;
/** The device memory budget when the field is empty (see device-memory.ts); set with WebGPU. */
let defaultBudget: number | undefined;
let outcome: RunOutcome | undefined;
let lastInput: ModelInput | undefined;
/** The budget the last run's model was loaded under, to reload its original the same way. */
let lastBudget: number | undefined;
let controller: AbortController | undefined;
let busy = false;

const calibration = calibrationPicker(document);
const evaluation = evaluationPicker(document);
const task = taskPicker(document);
const picker = new ModelPicker(document, {
  onLocalPick(pick) {
    clearError(v.alerts, 'model');
    v.modelStatus.textContent = 'Reading the model files…';
    pick
      .then(async (input) => {
        // Reading the headers now reports a broken file before anything runs.
        const tensor = await largestTensor(input);
        if (limits) await checkFitsAdapter(input, limits);
        v.modelStatus.textContent = `${input.name}: ${input.kind} model, largest tensor ${tensor.name} (${formatBytes(tensor.bytes)}).`;
      })
      .catch((error: unknown) => {
        v.modelStatus.textContent = '';
        showError(v.alerts, 'model', 'This model cannot be used.', messageOf(error));
      });
  },
  onDownloadProgress(message) {
    v.modelStatus.textContent = message;
  },
});

function setBusy(running: boolean): void {
  busy = running;
  v.run.disabled = running || limits === undefined;
  v.cancel.disabled = !running;
  v.generate.disabled = running || outcome === undefined;
  v.saveFolder.disabled = running || outcome === undefined;
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
    '#setup input, #setup select',
  ))
    el.disabled = running;
}

async function run(): Promise<void> {
  if (busy || !limits) return;
  clearError(v.alerts);
  clearFieldError(document, 'layers');
  let request: Parameters<typeof runSession>[0];
  controller = new AbortController();
  try {
    const settings = readSettings(document);
    setBusy(true);
    setState('running');
    const calibrationText = await calibration.current();
    if (!calibrationText) throw new Error('Calibration text: choose the bundled text or a file.');
    request = {
      input: await picker.current(),
      limits,
      settings,
      calibration: calibrationText,
      evaluation: await evaluation.current(),
      tasks: await chosenTasks(),
      deviceMemory: settings.deviceMemory ?? defaultBudget,
      signal: controller.signal,
    };
  } catch (error) {
    setBusy(false);
    setState('failed');
    showError(v.alerts, 'run', 'The run cannot start.', messageOf(error));
    return;
  }
  outcome?.ready.model.dispose();
  outcome = undefined;
  hooks.prunedLogits = undefined;
  hooks.report = undefined;
  clearDownloadList(v.downloadList);
  clearResults(v, placeholders);
  try {
    outcome = await runSession(request, v);
    lastInput = request.input;
    lastBudget = request.deviceMemory;
    const model = outcome.ready.model;
    hooks.report = outcome.result.report;
    hooks.prunedLogits = (ids) => logitsOf(model, ids);
    setState('done');
  } catch (error) {
    if (controller.signal.aborted) {
      v.progress.set(0, 'Cancelled. Nothing was changed; press Prune to start again.');
      setState('cancelled');
    } else if (error instanceof FieldError) {
      // A setting this model cannot take: said next to its field, nothing was computed.
      v.progress.set(0, 'The settings do not fit this model; see the marked field.');
      showFieldError(document, error.field, error.message);
      setState('failed');
    } else {
      v.progress.set(0, 'The run failed.');
      const title =
        error instanceof ModelTooBigError
          ? 'The model is too big for this WebGPU adapter.'
          : error instanceof MemoryBudgetError
            ? 'The device memory budget is too small for this model and these settings.'
            : 'The run failed.';
      showError(v.alerts, 'run', title, inPageTerms(messageOf(error)));
      setState('failed');
    }
  } finally {
    controller = undefined;
    setBusy(false);
  }
}

/** Both models again for the current prompt; the original is reloaded from the same files. */
async function generateAgain(): Promise<void> {
  if (busy || !outcome || !lastInput || !limits) return;
  clearError(v.alerts, 'generate');
  setBusy(true);
  try {
    const settings = readSettings(document);
    const { prompt, newTokens } = settings;
    const original = await loadModelInput(lastInput, limits, {
      deviceMemory: memoryBudget(lastBudget, settings),
    });
    try {
      await streamGeneration(
        { model: original.model, tokenizer: original.tokenizer, prompt, newTokens },
        v.originalText,
      );
    } finally {
      original.model.dispose();
    }
    const { model, tokenizer } = outcome.ready;
    await streamGeneration({ model, tokenizer, prompt, newTokens }, v.prunedText);
  } catch (error) {
    showError(v.alerts, 'generate', 'Generation failed.', inPageTerms(messageOf(error)));
  } finally {
    setBusy(false);
  }
}

v.run.addEventListener('click', () => void run());
v.cancel.addEventListener('click', () => {
  controller?.abort(new DOMException('Cancelled by the user', 'AbortError'));
  v.progress.set(undefined, 'Cancelling…');
});
v.generate.addEventListener('click', () => void generateAgain());
const pickFolder = directoryPicker();
if (pickFolder) {
  v.saveFolder.hidden = false;
  v.saveFolder.addEventListener('click', () => {
    if (!outcome) return;
    saveToFolder(outcome.files, pickFolder)
      .then((name) => {
        v.downloadNote.textContent = `Saved ${outcome?.files.size} files to the folder ${name}.`;
      })
      .catch((error: unknown) => {
        if ((error as Error).name !== 'AbortError')
          showError(v.alerts, 'save', 'Saving to the folder failed.', messageOf(error));
      });
  });
}

void startWebGpuStatus();

async function startWebGpuStatus(): Promise<void> {
  const status = await startWebGpu();
  if (status.ok) {
    limits = status.limits;
    defaultBudget = defaultDeviceMemory(status.device.adapter, computerMemoryGiB(navigator));
    showDeviceMemoryDefault(document, defaultBudget);
    v.gpuStatus.textContent = status.description;
    setBusy(false);
    setState('idle');
  } else {
    v.gpuStatus.textContent = 'WebGPU is unavailable.';
    showError(v.alerts, 'webgpu', status.title, status.details);
    setBusy(false);
    setState('no-webgpu');
  }
}

/** The chosen task file, parsed: a bad line is an error naming the file and line before the run. */
async function chosenTasks() {
  const chosen = await task.current();
  return chosen ? [parseTaskFile(chosen.text, chosen.source)] : undefined;
}
