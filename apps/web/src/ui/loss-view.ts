/**
 * The live training-loss chart: step losses and per-epoch validation losses gathered from progress
 * events, redrawn at most a few times a second; replaced by the report's own curves at the end.
 */
import {
  lossCurvesSvg,
  type ProgressEvent,
  type StreamlineReport,
} from '@llm-streamline/streamline';
import { throttled } from './throttle.js';

export class LossView {
  private stepLoss: number[] = [];
  private validationLoss: number[] = [];
  private stepsPerEpoch: number | undefined;
  private readonly redraw = throttled(() => this.draw(), 250);

  constructor(private readonly holder: HTMLElement) {}

  reset(): void {
    this.stepLoss = [];
    this.validationLoss = [];
    this.stepsPerEpoch = undefined;
  }

  /** Feeds a pipeline event; only training events with a loss matter. */
  onProgress(event: ProgressEvent, epochs: number): void {
    if (event.stage !== 'training') return;
    if (event.loss !== undefined) {
      this.stepLoss[event.done - 1] = event.loss;
      this.stepsPerEpoch = Math.max(1, Math.round(event.total / epochs));
    } else if (event.validationLoss !== undefined && event.epoch !== undefined) {
      // Index 0 is the loss before training, which no progress event carries: NaN leaves it undrawn.
      if (this.validationLoss.length === 0) this.validationLoss.push(Number.NaN);
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
    this.validationLoss = [...training.validationLoss];
    // this.stepsPerEpoch keeps the live value: exact even after an early stop (else the chart's default).
    this.redraw.cancel();
    this.holder.innerHTML = lossCurvesSvg({
      stepLoss: this.stepLoss,
      validationLoss: this.validationLoss,
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
