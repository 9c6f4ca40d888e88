/**
 * A stage's peak device memory beside what the plan expected: how a run under a budget shows it
 * kept to it (`streamline.json`, the report, the CLI's results). One rule for every caller.
 */
import type { LlamaForCausalLM } from '../model/llama-model.js';

/**
 * Runs `fn` as `stage`, noting in the model's memory plan the stage's planned peak and the
 * device's measured one (`peakBytesHeld`: live, pooled and parked buffers). A stage run twice
 * keeps the larger of each. No-op for a model loaded without a budget.
 */
export async function measureStage<R>(
  model: LlamaForCausalLM,
  stage: string,
  fn: () => Promise<R>,
): Promise<R> {
  const plan = model.memoryPlan;
  if (!plan) return fn();
  const device = model.invFreq.device;
  device.pool.resetPeak();
  plan.beginStage();
  try {
    return await fn();
  } finally {
    const group = plan.lastGroup;
    const stats = device.memoryStats();
    const before = plan.stages[stage];
    // A streamed stage that made no group decision (calibration: no device work) plans nothing.
    const planned = plan.mode === 'resident' ? plan.residentPeakBytes : group?.plannedPeakBytes;
    const plannedPeakBytes = Math.max(planned ?? 0, before?.plannedPeakBytes ?? 0);
    plan.noteStage(stage, {
      ...(plannedPeakBytes > 0 ? { plannedPeakBytes } : {}),
      measuredPeakBytes: Math.max(stats.peakBytesHeld, before?.measuredPeakBytes ?? 0),
      measuredLiveBytes: Math.max(stats.peakBytesLive, before?.measuredLiveBytes ?? 0),
      ...(group ? { batchesPerGroup: group.batchesPerGroup } : {}),
    });
  }
}
