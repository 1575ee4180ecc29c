// Lets plain Node run the TypeScript sources: tsx for .ts, and a tiny hook that turns
// `import text from './x.wgsl?raw'` into a string module (what Vite does for browsers).
// Imported first by the CLI and by every worker_threads entry point.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./raw-hooks.mjs', import.meta.url);
registerTsx();
