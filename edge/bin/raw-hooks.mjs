// Node module customization hooks: `?raw` imports resolve to the file's text as a default export.
import { readFile } from 'node:fs/promises';

export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('?raw')) {
    const base = specifier.slice(0, -'?raw'.length);
    const resolved = await nextResolve(base, context).catch(() => ({ url: new URL(base, context.parentURL).href }));
    return { url: `${resolved.url}?raw`, shortCircuit: true, format: 'module' };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.endsWith('?raw')) {
    const text = await readFile(new URL(url.slice(0, -'?raw'.length)), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
