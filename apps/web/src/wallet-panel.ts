/**
 * The setup screen's address help. On a test chain (the pool's /api/pool/stats names simnet or
 * regtest) it offers "Create an address for me" (browser-wallet.ts, loaded when used): a key made
 * and kept in this browser, encrypted under a passphrase, with "Use this address", export (WIF
 * and the encrypted backup, after the passphrase again) and delete (after a confirmation). On a
 * real coin it only says, in a line with the coin's name, where an address comes from: this page
 * never makes keys for coins that are worth something.
 */
import { pagePool } from './page-pool.ts';
import type { Store } from './store.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => $<HTMLInputElement>(id).value;

/** Chains whose coins are worth nothing: the page may make keys for them. */
const TEST_CHAINS = ['simnet', 'regtest'] as const;
const COIN_NAMES: Record<string, string> = { mainnet: 'Bitcoin', testnet: 'Bitcoin testnet' };

/** The sentence a real coin's pool shows under the address field. */
export function whereToGetAnAddress(network: string): string {
  const coin = COIN_NAMES[network] ?? network;
  return `You need a ${coin} address of your own to be paid. Any ${coin} wallet gives you one (look for "Receive"). This page does not create keys for ${coin}.`;
}

export function offersWallet(network: string | undefined): boolean {
  return (TEST_CHAINS as readonly (string | undefined)[]).includes(network);
}

function message(err: unknown): string {
  return (err as { reason?: string }).reason ?? (err instanceof Error ? err.message : String(err));
}

export interface WalletPanel {
  /** Disables the panel's controls while mining (the address is fixed then). */
  setMining(on: boolean): void;
}

/**
 * Wires the panel. `useAddress` puts an address into the payout field. Never throws: a pool that
 * does not answer simply gets no offer.
 */
export async function setupWalletPanel(store: Store, useAddress: (address: string) => void): Promise<WalletPanel> {
  const panel: WalletPanel = { setMining: (on) => $('wallet-box').querySelectorAll('button, input').forEach((el) => ((el as HTMLButtonElement).disabled = on)) };
  const network = (await pagePool())?.network;
  if (network === undefined) return panel;
  if (!offersWallet(network)) {
    $('address-help').textContent = whereToGetAnAddress(network);
    $('address-help').hidden = false;
    return panel;
  }
  const chain = network === 'simnet' ? 'simnet, a test chain whose coins are worth nothing' : 'regtest, a test chain whose coins are worth nothing';
  $('wallet-intro').textContent = `No address yet? This pool mines ${chain}. The page can make one for you: its key is made in this browser, stays here encrypted with a passphrase you choose, and is never sent anywhere.`;
  $('wallet-box').hidden = false;
  const status = (text: string) => ($('wallet-status').textContent = text);
  const wallet = () => import('./browser-wallet.ts');

  const show = (address: string | undefined): void => {
    $('wallet-offer').hidden = address !== undefined;
    $('wallet-create').hidden = true;
    $('wallet-have').hidden = address === undefined;
    $('wallet-exported').hidden = true;
    $('wallet-delete-confirm').hidden = true;
    $('wallet-wif').textContent = '';
    if (address) $('wallet-address').textContent = address;
  };

  // What is stored: shown by its address (checked fully when it is used for export).
  const raw = (await store.getWallet()) as { address?: unknown } | undefined;
  show(typeof raw?.address === 'string' ? raw.address : undefined);

  $('wallet-open').addEventListener('click', () => {
    $('wallet-offer').hidden = true;
    $('wallet-create').hidden = false;
    $('wallet-pass').focus();
  });
  $('wallet-create-go').addEventListener('click', async () => {
    status('making the key and encrypting it…');
    try {
      const { createWallet } = await wallet();
      const file = await createWallet(store, 'regtest', value('wallet-pass'), value('wallet-pass2'));
      $<HTMLInputElement>('wallet-pass').value = $<HTMLInputElement>('wallet-pass2').value = '';
      show(file.address);
      useAddress(file.address);
      status('Your address is ready and in the payout field. Back it up before coins arrive: without the key and passphrase they are lost.');
      $('wallet-use').focus();
    } catch (err) {
      status(message(err));
    }
  });
  $('wallet-use').addEventListener('click', () => {
    useAddress($('wallet-address').textContent ?? '');
    status('The wallet address is in the payout field.');
  });
  $('wallet-export-open').addEventListener('click', () => {
    $('wallet-export-box').hidden = !$('wallet-export-box').hidden;
    if (!$('wallet-export-box').hidden) $('wallet-export-pass').focus();
  });
  $('wallet-export').addEventListener('click', async () => {
    status('decrypting…');
    try {
      const { exportWallet } = await wallet();
      const out = await exportWallet(store, value('wallet-export-pass'));
      $<HTMLInputElement>('wallet-export-pass').value = '';
      $('wallet-wif').textContent = out.wif;
      const link = $<HTMLAnchorElement>('wallet-backup');
      if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([out.backup], { type: 'application/json' }));
      link.download = `otedama-wallet-${out.address.slice(0, 12)}.json`;
      $('wallet-exported').hidden = false;
      status('Anyone with the key (WIF) can spend the coins: keep it private. The backup file is encrypted with your passphrase.');
    } catch (err) {
      status(message(err));
    }
  });
  $('wallet-delete').addEventListener('click', () => {
    $('wallet-delete-confirm').hidden = false;
    $('wallet-delete-no').focus();
  });
  $('wallet-delete-no').addEventListener('click', () => {
    $('wallet-delete-confirm').hidden = true;
  });
  $('wallet-delete-yes').addEventListener('click', async () => {
    try {
      const { deleteWallet } = await wallet();
      await deleteWallet(store);
      show(undefined);
      status('The key is deleted from this browser.');
    } catch (err) {
      status(message(err));
    }
  });
  return panel;
}
