/**
 * The page script of settings-form.test.ts: the CLI test's fixture metric and kind, one registry
 * line each, then the app's own form, exactly as main.ts builds it, and a hook to read it.
 */
import { registerMetric, registerReplacement } from '@llm-streamline/streamline';
import { cosinePowerMetric } from '../../cli/test/fixtures/extra-metric.js';
import { narrowFfnReplacement } from '../../cli/test/fixtures/extra-replacement.js';
import { readSettings } from '../src/settings.js';
import { renderSettingsForm } from '../src/settings-form.js';

registerMetric(cosinePowerMetric);
registerReplacement(narrowFfnReplacement);

renderSettingsForm(document);
(window as unknown as { readSettings: () => unknown }).readSettings = () => readSettings(document);
