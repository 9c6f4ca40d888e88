/** @llm-streamline/streamline: the LLM-Streamline compression pipeline (placeholder). */
export {};
