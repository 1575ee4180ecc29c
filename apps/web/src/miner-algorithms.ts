/**
 * The page's miners by algorithm: each algorithm the browser mines is one module with its own
 * miner (engines, job dialect, share form) behind PageMiner, loaded when Start is pressed. The
 * runtime asks here by name; adding an algorithm adds a line here and its folder.
 */
import { MinerOptionError } from './errors.ts';
import type { MinerOptions, PageMiner } from './miner.ts';

type MinerFactory = (options: MinerOptions) => Promise<PageMiner>;

/** The miner of each algorithm in BROWSER_ALGORITHMS (settings.ts), imported on demand. */
const MINERS: Readonly<Record<string, MinerFactory>> = {
  sha256d: async (options) => new (await import('./miner.ts')).BrowserMiner(options),
  kawpow: async (options) => new (await import('./kawpow/kawpow-miner.ts')).KawpowMiner(options),
};

/** Builds the miner of `options.algorithm`; throws MinerOptionError for an algorithm without one (or a bad option). */
export async function createMiner(options: MinerOptions): Promise<PageMiner> {
  const { checkBrowserAlgorithm } = await import('./miner.ts');
  const factory = MINERS[checkBrowserAlgorithm(options.algorithm)];
  if (!factory) throw new MinerOptionError(`no browser miner for ${options.algorithm}`);
  return factory(options);
}
