/** `--help` for the program and for every command: usage, every flag, and runnable examples. */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli.js';
import { runCli } from './helpers.js';

describe('--help', () => {
  it('lists every command', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const c of COMMANDS)
      expect(run.stdout).toMatch(new RegExp(`^  ${c.spec.name}\\s+\\S`, 'm'));
    expect(run.stdout).toContain('Exit codes: 0 ok, 1 failure, 2 usage error, 130 cancelled');
  });

  it('no command prints the help on stderr with exit 2', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Usage: llm-streamline <command>/m);
  });

  for (const { spec } of COMMANDS) {
    it(`${spec.name} --help shows usage, every flag and examples`, async () => {
      const run = await runCli([spec.name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(new RegExp(`^Usage: llm-streamline ${spec.name} `));
      for (const flag of [...Object.keys(spec.flags), 'json', 'quiet', 'verbose', 'help'])
        expect(run.stdout).toContain(`--${flag}`);
      const examples = run.stdout.split('Examples:')[1] ?? '';
      expect(examples.match(/^ {2}llm-streamline /gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    });
  }
});
