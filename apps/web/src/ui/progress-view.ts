/** The progress bar with a sentence beside it: stage, units done, ETA. */
import type { ProgressEvent, Stage } from '@llm-streamline/streamline';

const STAGE_NAMES: Record<Stage, string> = {
  calibration: 'Preparing calibration blocks',
  scoring: 'Scoring layer windows',
  pairs: 'Computing training pairs',
  training: 'Training the replacement',
  finetune: 'Fine-tuning on the language-model loss',
  evaluation: 'Measuring perplexity',
  tasks: 'Scoring multiple-choice tasks',
  export: 'Writing the checkpoint',
};

export class ProgressView {
  constructor(
    private readonly bar: HTMLProgressElement,
    private readonly text: HTMLElement,
  ) {}

  /** A pipeline event: the bar shows this stage's fraction, the text says what and how long. */
  update(event: ProgressEvent): void {
    const fraction = event.total > 0 ? event.done / event.total : 0;
    const parts = [
      `${STAGE_NAMES[event.stage]}${event.message ? ` (${event.message})` : ''}: ${event.done} of ${event.total}`,
    ];
    if (event.loss !== undefined) parts.push(`loss ${event.loss.toFixed(4)}`);
    if (event.validationLoss !== undefined)
      parts.push(
        `validation loss ${event.validationLoss.toFixed(4)} ${event.epoch ? `after epoch ${event.epoch}` : 'before training'}`,
      );
    if (event.etaSeconds !== undefined && Number.isFinite(event.etaSeconds))
      parts.push(`about ${formatSeconds(event.etaSeconds)} left in this stage`);
    this.set(fraction, parts.join(', '));
  }

  /** Free text with an optional fraction (loading, generating, done). */
  set(fraction: number | undefined, message: string): void {
    if (fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = Math.min(1, Math.max(0, fraction));
    this.bar.setAttribute('aria-valuetext', message);
    this.text.textContent = message;
  }
}

/** "42 s", "3 min 5 s". */
export function formatSeconds(s: number): string {
  const total = Math.max(0, Math.round(s));
  if (total < 60) return `${total} s`;
  return `${Math.floor(total / 60)} min ${total % 60} s`;
}
