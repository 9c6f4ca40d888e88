/** Calls `fn` at most once per `ms`, always ending with the latest call (charts redraw live). */
export function throttled(
  fn: () => void,
  ms: number,
): { request(): void; flush(): void; cancel(): void } {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = performance.now();
    fn();
  };
  return {
    request() {
      if (timer !== undefined) return;
      const wait = Math.max(0, last + ms - performance.now());
      timer = setTimeout(run, wait);
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      run();
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
