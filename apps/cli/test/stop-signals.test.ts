/**
 * The stop signals: the first of SIGINT, SIGTERM, SIGHUP aborts the run with a CancelledError that
 * names it; copies of the same event are ignored; a second signal exits at once with 128 + its
 * number, and the owned folders are still removed (a real process, fixtures/slow-stop.ts).
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWebGPUEnv } from '../../../scripts/webgpu-env.mjs';
import { describeError } from '../src/cli.js';
import { CancelledError, type StopSignal } from '../src/errors.js';
import { handleStopSignals, SAME_EVENT_MS } from '../src/stop-signals.js';
import { tempDir } from './helpers.js';

function fakeProcess() {
  const exits: number[] = [];
  return {
    exits,
    proc: {
      on: () => undefined,
      exit: (code: number) => {
        exits.push(code);
        return undefined;
      },
    },
  };
}

describe('handleStopSignals', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as [StopSignal, number][]) {
    it(`${signal}: the first aborts (exit ${code} via describeError), a copy is ignored, a second exits ${code}`, () => {
      const controller = new AbortController();
      const { proc, exits } = fakeProcess();
      let now = 1000;
      const said: string[] = [];
      const listeners = handleStopSignals(
        controller,
        (t) => said.push(t),
        proc,
        () => now,
      );
      listeners[signal]();
      expect(controller.signal.aborted).toBe(true);
      const reason = controller.signal.reason as CancelledError;
      expect(reason).toBeInstanceOf(CancelledError);
      expect(reason.signal).toBe(signal);
      expect(describeError(new Error('any'), true, reason).code).toBe(code);
      expect(said).toHaveLength(1);
      now += SAME_EVENT_MS - 1; // the terminal's copy and npm's forwarded one: one event
      listeners[signal]();
      expect(exits).toEqual([]);
      now += 2;
      listeners[signal]();
      expect(exits).toEqual([code]);
    });
  }

  it('a second signal of another kind exits with its own code', () => {
    const controller = new AbortController();
    const { proc, exits } = fakeProcess();
    let now = 0;
    const listeners = handleStopSignals(
      controller,
      () => undefined,
      proc,
      () => now,
    );
    listeners.SIGINT();
    now += 1000;
    listeners.SIGTERM();
    expect(exits).toEqual([143]);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    it(`a real process that stops slowly: a second ${signal} exits ${code} at once and its owned folder is gone`, async () => {
      const parent = await tempDir();
      const child = spawn(
        process.execPath,
        [
          '--conditions=@llm-streamline/source',
          '--import',
          'tsx',
          resolve(import.meta.dirname, 'fixtures/slow-stop.ts'),
          parent,
        ],
        { env: applyWebGPUEnv({ ...process.env }) },
      );
      const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      await new Promise<void>((ready) => child.stdout.on('data', () => ready()));
      expect((await readdir(parent)).length).toBe(1);
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 500));
      expect((await readdir(parent)).length).toBe(1); // still stopping: the folder is there
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(await readdir(parent)).toEqual([]);
    });
});
