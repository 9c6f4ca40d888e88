/** Greedy generation streamed into an element, token by token, as the model produces them. */
import { generate, type LlamaForCausalLM, type Tokenizer } from '@llm-streamline/llm';

export interface GenerationRequest {
  model: LlamaForCausalLM;
  tokenizer: Tokenizer;
  prompt: string;
  newTokens: number;
  signal?: AbortSignal;
}

/** What shows instead of a generation when the model streams its layers. */
export const STREAMED_NOTE =
  'No generation: the model did not fit the device memory budget, so its layers are streamed one at a time, and generating needs every layer on the device. Give a larger Device memory (under More settings) to compare generations.';

/**
 * Writes the prompt, then each new token's text, into `out`; resolves with the whole text. Greedy
 * (temperature 0), so the original and the pruned model are compared on their most likely
 * continuations, not on luck. A streamed model (loaded under a device memory budget it does not
 * fit) cannot generate token by token: `out` then says so, and the result is ''.
 */
export async function streamGeneration(req: GenerationRequest, out: HTMLElement): Promise<string> {
  if (req.model.weightStream) {
    out.textContent = STREAMED_NOTE;
    return '';
  }
  const ids = req.tokenizer.encode(req.prompt, { bos: true, eos: false });
  const steps = Math.min(ids.length - 1 + req.newTokens, req.model.config.maxPositionEmbeddings);
  let text = req.prompt;
  out.textContent = text;
  out.setAttribute('aria-busy', 'true');
  let prev = ids[ids.length - 1] as number;
  try {
    for await (const id of generate(req.model, ids, {
      temperature: 0,
      steps,
      shouldStop: () => req.signal?.aborted ?? false,
    })) {
      text += req.tokenizer.decodeToken(prev, id);
      prev = id;
      out.textContent = text;
    }
  } finally {
    out.removeAttribute('aria-busy');
  }
  return text;
}
