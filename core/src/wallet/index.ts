/** The newcomer's wallet (keys.ts, keystore.ts): loaded only where a key is made or opened. */
export * from './keys.ts';
export * from './keystore.ts';
