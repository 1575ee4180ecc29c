/** Most nonces one KawPow CPU worker search may ask for: at a few ms a hash, about a second of light evaluation. */
export const MAX_LIGHT_BATCH = 512;
