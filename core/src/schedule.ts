/** Cooperative scheduling without platform types (core has no DOM or Node typings). */
type TimerHost = { setTimeout(callback: () => void, ms: number): unknown };

/** Resolves on a later macrotask, letting timers, messages and rendering run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (globalThis as unknown as TimerHost).setTimeout(resolve, 0));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => (globalThis as unknown as TimerHost).setTimeout(resolve, ms));
}
