/**
 * Benchmarks that measure a process's peak memory (its maxRSS never goes down) run each case in a
 * fresh child process of their own script. This is both sides of that: the parent spawns the
 * script again with an environment that tells it which case to run, and the child prints its
 * result as one `RESULT {json}` line, which the parent parses (anything else the child prints on
 * stdout is ignored; stderr passes through).
 */
import { spawn } from 'node:child_process';

const PREFIX = 'RESULT ';

/**
 * Runs `script` in a child Node with this process's exec arguments (so `--conditions` and `tsx`
 * carry over) plus `execArgv`, and `env` added to this environment; resolves with the child's
 * result. `what` names the case in the error when the child fails or prints no result.
 */
export function runBenchChild<T>(
  script: string,
  env: Readonly<Record<string, string>>,
  what: string,
  execArgv: readonly string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...execArgv, script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(PREFIX));
      if (code !== 0 || !line) reject(new Error(`${what} exited with ${code}\n${stdout}`));
      else resolve(JSON.parse(line.slice(PREFIX.length)) as T);
    });
  });
}

/** In the child: hands `result` to the parent's {@link runBenchChild}. */
export function reportToParent(result: unknown): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(result)}\n`);
}
