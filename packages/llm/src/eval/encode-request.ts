/**
 * Token sequences for log-likelihood requests, as lm-evaluation-harness builds them for a causal
 * model (lm_eval/api/model.py `loglikelihood` / `_encode_pair`, lm_eval/models/huggingface.py
 * `_loglikelihood_tokens`).
 */
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { ChoiceRequest } from './choice-item.js';
import { pyRstrip } from './python-text.js';

/** A request's context and continuation tokens. */
export interface EncodedRequest {
  context: number[];
  continuation: number[];
}

/**
 * The harness's pair encoding. Trailing whitespace of the context moves to the front of the
 * continuation; then the continuation's tokens are those of encode(context + continuation) beyond
 * the length of encode(context) — so a token that spans the boundary counts as the continuation's.
 * Encoding follows the tokenizer's own BOS convention, as the harness does when `add_bos_token` is
 * left unset. An empty context becomes the prefix token (BOS, or EOS without one) and the
 * continuation is encoded without BOS.
 */
export function encodeRequest(tokenizer: Tokenizer, request: ChoiceRequest): EncodedRequest {
  let { context, continuation } = request;
  if (context === '') {
    const prefix = tokenizer.bosId >= 0 ? tokenizer.bosId : tokenizer.eosId;
    const ids = tokenizer.encode(continuation, { bos: false, eos: false });
    return ids[0] === prefix
      ? { context: ids.slice(0, 1), continuation: ids.slice(1) }
      : { context: [prefix], continuation: ids };
  }
  const kept = pyRstrip(context);
  if (kept.length < context.length) {
    continuation = context.slice(kept.length) + continuation;
    context = kept;
  }
  const whole = tokenizer.encode(context + continuation, { eos: false });
  const contextIds = tokenizer.encode(context, { eos: false });
  return { context: contextIds, continuation: whole.slice(contextIds.length) };
}

/** What the model reads for one request: tokens[0…n−1] in, tokens[1…n] scored. */
export interface RequestWindow {
  /** The last ≤ blockLength + 1 tokens of context + continuation. */
  tokens: number[];
  /** How many of the last tokens are the continuation's (whose log-probabilities are summed). */
  continuationLength: number;
  /** Whether tokens were dropped from the left to fit the block length. */
  truncated: boolean;
}

/**
 * The harness's window: (context + continuation)[−(blockLength + 1):], of which all but the last
 * token are fed to the model (at most `blockLength` positions) and the last `continuation.length`
 * predictions are scored. A context that does not fit loses its first tokens. Throws when the
 * continuation is empty or alone longer than the block (the harness asserts both).
 */
export function requestWindow(encoded: EncodedRequest, blockLength: number): RequestWindow {
  const { context, continuation } = encoded;
  if (continuation.length === 0)
    throw new RangeError('the continuation encodes to no token of its own');
  if (continuation.length > blockLength)
    throw new RangeError(
      `the continuation has ${continuation.length} tokens, more than the block length ${blockLength}`,
    );
  const all = [...context, ...continuation];
  const tokens = all.slice(-(blockLength + 1));
  return {
    tokens,
    continuationLength: continuation.length,
    truncated: tokens.length < all.length,
  };
}
