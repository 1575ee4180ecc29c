/** Algorithm modules behind one interface, and the registry that names them. */
export * from './algorithm.ts';
export * from './registry.ts';
export * from './sha256d/sha256d.ts';
