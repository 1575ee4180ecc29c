/**
 * The browser wallet: a key made in this browser for a test chain's payouts, kept in IndexedDB
 * encrypted under the person's passphrase (core's wallet file: AES-256-GCM, PBKDF2-SHA-256 with
 * 600,000 iterations, WebCrypto), exportable as WIF and as that encrypted file (which
 * `otedama wallet show --wallet FILE --export` also reads), deletable. Nothing here sends
 * anything anywhere: the key is made by crypto.getRandomValues and only the address leaves the
 * page (as the payout address, when the person mines to it).
 *
 * Loaded on demand (wallet-panel.ts imports it when the person acts), so the curve code is not
 * part of the JS before Start.
 */
import {
  checkWalletFile,
  encodeWif,
  generatePrivateKey,
  openWalletFile,
  passphraseProblem,
  sealPrivateKey,
  WalletError,
  type Network,
  type WalletFile,
} from '@otedama/core';
import type { Store } from './store.ts';

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

/** The stored wallet, checked; undefined when there is none. Throws WalletError for a damaged record. */
export async function readWallet(store: Store): Promise<WalletFile | undefined> {
  const raw = await store.getWallet();
  return raw === undefined ? undefined : checkWalletFile(raw);
}

/**
 * Makes a key, encrypts it under `passphrase` and stores it. Refuses when a wallet exists already
 * (one key per browser: a second would silently hide the first), for a weak passphrase, or when
 * the two entries differ. Returns the stored file (its address is what to mine to).
 */
export async function createWallet(store: Store, network: Network, passphrase: string, again: string): Promise<WalletFile> {
  if ((await store.getWallet()) !== undefined) throw new WalletError('file', 'this browser has a wallet already; delete it first to make another');
  const problem = passphraseProblem(passphrase);
  if (problem) throw new WalletError('passphrase', problem);
  if (passphrase !== again) throw new WalletError('passphrase', 'the two passphrases differ');
  const privateKey = generatePrivateKey(random);
  try {
    const file = await sealPrivateKey({ privateKey, network, passphrase, subtle: crypto.subtle, random, now: Date.now() });
    await store.putWallet(file);
    return file;
  } finally {
    privateKey.fill(0);
  }
}

/** The key in WIF and the encrypted backup (JSON), after the passphrase is entered again. */
export async function exportWallet(store: Store, passphrase: string): Promise<{ address: string; wif: string; backup: string }> {
  const file = await readWallet(store);
  if (!file) throw new WalletError('file', 'there is no wallet in this browser');
  const opened = await openWalletFile(file, passphrase, crypto.subtle);
  try {
    return { address: file.address, wif: encodeWif(opened.privateKey, opened.network), backup: `${JSON.stringify(file, null, 2)}\n` };
  } finally {
    opened.privateKey.fill(0);
  }
}

export async function deleteWallet(store: Store): Promise<void> {
  await store.deleteWallet();
}
