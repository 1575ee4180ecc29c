/** The peer-to-peer network's wire formats, shared by edges and browsers (no I/O). */
export * from './protocols.ts';
export * from './handshake-codec.ts';
export * from './sync-codec.ts';
export * from './wire.ts';
export * from './template-codec.ts';
export * from './introduction-codec.ts';
