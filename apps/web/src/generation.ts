/** Greedy generation streamed into an element, token by token, as the model produces them. */
import { generate, type LlamaForCausalLM, type Tokenizer } from '@llm-streamline/llm';

export interface GenerationRequest {
  model: LlamaForCausalLM;
  tokenizer: Tokenizer;
  prompt: string;
  newTokens: number;
  signal?: AbortSignal;
}

/**
 * Writes the prompt, then each new token's text, into `out`; resolves with the whole text. Greedy
 * (temperature 0), so the original and the pruned model are compared on their most likely
 * continuations, not on luck.
 */
export async function streamGeneration(req: GenerationRequest, out: HTMLElement): Promise<string> {
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
