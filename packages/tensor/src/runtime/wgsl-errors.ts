/** Turns WGSL compilation messages into an error that shows the generated source with line numbers. */
export class WgslCompileError extends Error {
  constructor(kernelName: string, source: string, messages: readonly GPUCompilationMessage[]) {
    const lines = source.split('\n');
    const width = String(lines.length).length;
    const numbered = lines
      .map((line, i) => `${String(i + 1).padStart(width)} | ${line}`)
      .join('\n');
    const errors = messages
      .map((m) => `  line ${m.lineNum}:${m.linePos} ${m.type}: ${m.message}`)
      .join('\n');
    super(
      `WGSL for kernel '${kernelName}' failed to compile:\n${errors}\n--- generated source ---\n${numbered}`,
    );
    this.name = 'WgslCompileError';
  }
}
