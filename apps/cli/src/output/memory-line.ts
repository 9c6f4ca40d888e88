/**
 * One line on how a run used device memory, for the commands that load a model under a budget
 * (score, eval, prune): resident, or streamed with its peak against the budget, how much was
 * uploaded and how fast, and how much of the upload time the overlap with compute hid.
 */
import {
  formatByteSize,
  type LlamaForCausalLM,
  type MemoryPlanRecord,
  type StreamStats,
} from '@llm-streamline/llm';

export function memoryLine(
  plan: MemoryPlanRecord | undefined,
  stream: StreamStats | undefined,
): string | undefined {
  if (!plan) return undefined;
  const budget = formatByteSize(plan.budgetBytes);
  if (plan.mode === 'resident' || !stream)
    return `device memory: resident within ${budget} (${formatByteSize(plan.weightsBytes)} of weights)`;
  const peaks = Object.values(plan.stages ?? {})
    .map((s) => s.measuredPeakBytes ?? 0)
    .filter((b) => b > 0);
  const peak = peaks.length > 0 ? `, peak ${formatByteSize(Math.max(...peaks))}` : '';
  return `device memory: streamed within ${budget}${peak}; ${streamingLine(stream)}`;
}

/** `uploaded 2.1 GiB in 31 fetches at 410 MiB/s; the overlap hid 62% of the upload time`. */
export function streamingLine(s: StreamStats): string {
  const rate = s.fetchSeconds > 0 ? s.bytesUploaded / s.fetchSeconds : 0;
  const hidden = s.fetchSeconds > 0 ? Math.max(0, 1 - s.waitSeconds / s.fetchSeconds) : 0;
  return (
    `uploaded ${formatByteSize(s.bytesUploaded)} in ${s.fetches} fetches at ${formatByteSize(rate)}/s; ` +
    `the overlap with compute hid ${(100 * hidden).toFixed(0)}% of the upload time`
  );
}

/** The model's memory plan and streaming costs for a JSON result; undefined without a budget. */
export function memoryRecord(
  model: LlamaForCausalLM,
): (MemoryPlanRecord & { stream?: StreamStats }) | undefined {
  const plan = model.memoryPlan;
  if (!plan) return undefined;
  const stream = model.weightStream;
  return { ...plan.record(), ...(stream ? { stream: { ...stream.stats } } : {}) };
}
