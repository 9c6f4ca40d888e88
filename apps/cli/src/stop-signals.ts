/**
 * SIGINT, SIGTERM and SIGHUP, all through one path: the first aborts the run's AbortSignal (the
 * command stops at its next check, deletes its staging and temporary folders, and exits 130, 143
 * or 129); a second exits at once with that code, and the owned-folder registry's synchronous
 * `exit` handler still deletes those folders.
 *
 * One press of Ctrl-C can arrive more than once: the terminal sends it to the whole foreground
 * process group, and `npm run` forwards it again to its child. A signal within
 * {@link SAME_EVENT_MS} of the first is therefore taken for the same event, not a second request.
 * (scripts/run.mjs itself never forwards SIGINT or SIGHUP; see there.)
 */
import { CancelledError, EXIT, STOP_SIGNALS, type StopSignal } from './errors.js';

/** Copies of one signal event (process group + npm's forwarding) arrive within this many ms. */
export const SAME_EVENT_MS = 300;

/** The process surface this needs, injectable for tests. */
export interface SignalProcess {
  on(signal: StopSignal, listener: () => void): unknown;
  exit(code: number): never | undefined;
}

/**
 * Wires the stop signals to `controller`. `say` writes the one note a first signal prints.
 * Returns the listener per signal (tests call them directly).
 */
export function handleStopSignals(
  controller: AbortController,
  say: (text: string) => void,
  proc: SignalProcess = process as unknown as SignalProcess,
  now: () => number = () => performance.now(),
): Record<StopSignal, () => void> {
  let first: number | undefined;
  const listeners = {} as Record<StopSignal, () => void>;
  for (const signal of STOP_SIGNALS) {
    const listener = () => {
      if (first === undefined) {
        first = now();
        say(
          signal === 'SIGINT'
            ? '\nstopping… (press Ctrl-C again to quit at once)\n'
            : `\nstopping (${signal})…\n`,
        );
        controller.abort(new CancelledError(signal));
        return;
      }
      if (now() - first < SAME_EVENT_MS) return;
      // The exit handler of the owned-folder registry removes staging and temporary folders.
      proc.exit(EXIT[signal]);
    };
    listeners[signal] = listener;
    proc.on(signal, listener);
  }
  return listeners;
}
