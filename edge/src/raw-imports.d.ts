// Text imports (`import text from './x.wgsl?raw'`): bin/raw-hooks.mjs implements them for the
// CLI, Vite for browsers. Declared here because edge's program compiles kernels' sources.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
