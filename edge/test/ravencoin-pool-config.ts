/**
 * The config file of an `otedama pool` on a Ravencoin simnet for tests (chain.coin: ravencoin):
 * its block difficulty and its Stratum share difficulty, vardiff allowed down to 2^-30 (KawPow
 * difficulties below 1 are what light evaluation finds in seconds). Shared by the edge's
 * pool-kawpow test and the web e2e that mines KawPow in the page.
 */
export function ravencoinPoolConfig(options: { readonly blockDifficulty: number; readonly shareDifficulty: number }): string {
  return [
    'chain:',
    '  coin: ravencoin',
    '  mode: simnet',
    '  simnet:',
    `    block_difficulty: ${options.blockDifficulty}`,
    'stratum:',
    `  initial_difficulty: ${options.shareDifficulty}`,
    '  vardiff:',
    `    min_difficulty: ${2 ** -30}`,
    '',
  ].join('\n');
}
