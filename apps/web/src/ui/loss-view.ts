/**
 * The live training-loss chart: step losses gathered from progress events, redrawn at most a few
 * times a second; replaced at the end by the report's curves, validation losses included.
 */
import {
  lossCurvesSvg,
  type ProgressEvent,
  type StreamlineReport,
} from '@llm-streamline/streamline';
import { throttled } from './throttle.js';

export class LossView {
  private stepLoss: number[] = [];
  private stepsPerEpoch: number | undefined;
  private readonly redraw = throttled(() => this.draw(), 250);

  constructor(private readonly holder: HTMLElement) {}

  /** Forgets the last run's losses; `placeholder` is shown until the first step. */
  reset(placeholder: string): void {
    this.redraw.cancel();
    this.stepLoss = [];
    this.stepsPerEpoch = undefined;
    this.holder.innerHTML = placeholder;
  }

  /**
   * Feeds a pipeline event; only training steps matter. Validation losses are drawn from the
   * report at the end: the curve starts with the loss before training (epoch 0), which no
   * progress event carries, and the chart places epoch e by its index.
   */
  onProgress(event: ProgressEvent, epochs: number): void {
    if (event.stage !== 'training' || event.loss === undefined) return;
    this.stepLoss[event.done - 1] = event.loss;
    this.stepsPerEpoch = Math.max(1, Math.round(event.total / epochs));
    this.redraw.request();
  }

  /** The final curves from the report (with the epoch kept marked). */
  showReport(training: StreamlineReport['training']): void {
    if (!training) {
      this.holder.innerHTML =
        '<p class="note">No training in this run (the replacement is fitted in closed form or there is none).</p>';
      return;
    }
    this.stepLoss = [...training.stepLoss];
    // this.stepsPerEpoch keeps the live value: exact even after an early stop (else the chart's default).
    this.redraw.cancel();
    this.holder.innerHTML = lossCurvesSvg({
      stepLoss: this.stepLoss,
      validationLoss: training.validationLoss,
      bestEpoch: training.bestEpoch,
      stepsPerEpoch: this.stepsPerEpoch,
      stopped: training.stopped,
    });
  }

  private draw(): void {
    if (this.stepLoss.length === 0) return;
    this.holder.innerHTML = lossCurvesSvg({
      stepLoss: this.stepLoss,
      validationLoss: [],
      stepsPerEpoch: this.stepsPerEpoch,
    });
  }
}
