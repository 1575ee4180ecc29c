// Registers raw-hook.mjs (`?raw` imports of .wgsl files) for plain Node:
//   node --import tsx --import ./kernels/src/raw-register.mjs script.ts
import { register } from 'node:module';

register('./raw-hook.mjs', import.meta.url);
