import { COMMON_FLAGS, type CommandSpec, type FlagSpec } from './spec.js';

/** The --help text of one command: usage, description, arguments, flags, examples. */
export function commandHelp(spec: CommandSpec): string {
  const usage = [
    'llm-streamline',
    spec.name,
    ...spec.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)),
    '[flags]',
  ].join(' ');
  const lines = [`Usage: ${usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  if (spec.positionals.length) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(...row(p.name, p.description));
  }
  lines.push('', 'Flags:');
  for (const [name, f] of Object.entries(spec.flags))
    if (!f.hidden) lines.push(...row(flagLabel(name, f), f));
  lines.push('', 'Common flags:');
  for (const [name, f] of Object.entries(COMMON_FLAGS)) lines.push(...row(flagLabel(name, f), f));
  lines.push('', 'Examples:');
  for (const e of spec.examples) lines.push(`  # ${e.what}`, `  ${e.command}`, '');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The top-level help: every command with its summary. */
export function mainHelp(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length)) + 2;
  return [
    'llm-streamline — compress LLaMA-family models with LLM-Streamline (ICLR 2025), on WebGPU.',
    '',
    'Usage: llm-streamline <command> [MODEL] [flags]',
    '',
    'Commands:',
    ...specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`),
    '',
    'MODEL is a Hugging Face folder, a llama2.c .bin or a .gguf. Without MODEL, the bundled',
    'tinystories-12L model is used (and its text): `llm-streamline prune --out pruned` runs the',
    'whole method out of the box.',
    'MODEL may also be a Hugging Face Hub id, org/name[@revision]: its config, safetensors (or',
    'single .gguf) and tokenizer are fetched into the Hugging Face cache, shared with Python',
    '(HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN for gated models, HF_HUB_OFFLINE=1: cache only).',
    '',
    "Run 'llm-streamline <command> --help' for a command's flags and examples.",
    'Exit codes: 0 ok, 1 failure, 2 usage error, 130 cancelled (Ctrl-C), 143 stopped by SIGTERM,',
    '129 by SIGHUP.',
    '',
  ].join('\n');
}

function flagLabel(name: string, f: FlagSpec): string {
  const long = `--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
  return f.short ? `-${f.short}, ${long}` : `    ${long}`;
}

function row(label: string, what: string | FlagSpec): string[] {
  const text =
    typeof what === 'string'
      ? what
      : `${what.description}${what.default !== undefined ? ` (default ${what.default})` : ''}`;
  const pad = 28;
  return label.length + 2 >= pad
    ? [`  ${label}`, `  ${' '.repeat(pad)}${text}`]
    : [`  ${label.padEnd(pad)}${text}`];
}
