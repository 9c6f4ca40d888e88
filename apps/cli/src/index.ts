#!/usr/bin/env node
/** @llm-streamline/cli: the `llm-streamline` command (placeholder; not yet built). */
export {};
