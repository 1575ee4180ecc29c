// WGSL sources imported as text. Vite and Vitest implement `?raw`; plain Node needs the loader
// hook in raw-register.mjs (see the README).
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
