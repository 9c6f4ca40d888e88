/** @llm-streamline/llm: Llama-family models, tokenizers and weight loaders (placeholder). */
export {};
