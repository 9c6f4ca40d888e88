/**
 * The page script of settings-form.test.ts: the CLI test's fixture metric and kind, one registry
 * line each, then the app's own form, exactly as main.ts builds it, and hooks to read it and to
 * set the device memory default as main.ts does once WebGPU has started.
 */
import { registerMetric, registerReplacement } from '@llm-streamline/streamline';
import { cosinePowerMetric } from '../../cli/test/fixtures/extra-metric.js';
import { narrowFfnReplacement } from '../../cli/test/fixtures/extra-replacement.js';
import { showDeviceMemoryDefault } from '../src/device-memory-field.js';
import { readSettings } from '../src/settings.js';
import { renderSettingsForm } from '../src/settings-form.js';

registerMetric(cosinePowerMetric);
registerReplacement(narrowFfnReplacement);

renderSettingsForm(document);
const hooks = window as unknown as {
  readSettings: () => unknown;
  showDeviceMemoryDefault: (bytes: number | undefined) => void;
};
hooks.readSettings = () => readSettings(document);
hooks.showDeviceMemoryDefault = (bytes) => showDeviceMemoryDefault(document, bytes);
