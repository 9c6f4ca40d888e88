/**
 * The live training-loss chart: step and validation losses gathered from progress events, redrawn
 * at most a few times a second; replaced at the end by the report's curves.
 */
import { lossCurvesSvg } from '@llm-streamline/report';
import type { ProgressEvent, StreamlineReport } from '@llm-streamline/streamline';
import { throttled } from './throttle.js';

export class LossView {
  private stepLoss: number[] = [];
  private validationLoss: number[] = [];
  private stepsPerEpoch: number | undefined;
  private readonly redraw = throttled(() => this.draw(), 250);

  constructor(private readonly holder: HTMLElement) {}

  /** Forgets the last run's losses; `placeholder` is shown until the first step. */
  reset(placeholder: string): void {
    this.redraw.cancel();
    this.stepLoss = [];
    this.validationLoss = [];
    this.stepsPerEpoch = undefined;
    this.holder.innerHTML = placeholder;
  }

  /**
   * Feeds a pipeline event; only the training stage matters: step losses, and validation losses
   * after each epoch (epoch 0 carries the loss before training, where the chart's curve starts).
   */
  onProgress(event: ProgressEvent, epochs: number): void {
    if (event.stage !== 'training') return;
    if (event.loss !== undefined) {
      this.stepLoss[event.done - 1] = event.loss;
      this.stepsPerEpoch = Math.max(1, Math.round(event.total / epochs));
    } else if (event.validationLoss !== undefined && event.epoch !== undefined) {
      this.validationLoss[event.epoch] = event.validationLoss;
    } else return;
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
      validationLoss: this.validationLoss,
      stepsPerEpoch: this.stepsPerEpoch,
    });
  }
}
