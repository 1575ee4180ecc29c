// Node module hooks that implement Vite's `?raw` suffix for .wgsl files, so the kernel hosts
// run under plain Node + tsx exactly as they are bundled by Vite:
//   node --import tsx --import ./kernels/src/raw-register.mjs app.ts
// `import source from './x.wgsl?raw'` becomes `export default "<file contents>"`.
import { readFile } from 'node:fs/promises';

const RAW_WGSL = /\.wgsl\?raw$/;

export async function resolve(specifier, context, nextResolve) {
  if (!RAW_WGSL.test(specifier)) return nextResolve(specifier, context);
  const url = new URL(specifier, context.parentURL);
  return { url: url.href, format: 'module', shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !RAW_WGSL.test(url)) return nextLoad(url, context);
  const file = new URL(url);
  file.search = '';
  const text = await readFile(file, 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};\n`, shortCircuit: true };
}
