// Types of raw-hook.mjs (Node module customization hooks; see node:module `register`).
export function resolve(
  specifier: string,
  context: { parentURL?: string },
  nextResolve: (specifier: string, context: object) => unknown,
): Promise<unknown>;
export function load(
  url: string,
  context: object,
  nextLoad: (url: string, context: object) => unknown,
): Promise<{ format: string; source: string; shortCircuit?: boolean }>;
