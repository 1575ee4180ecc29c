/**
 * A newcomer without a wallet, in real Chromium against a real simnet edge: "Create an address
 * for me" makes a key in the page, keeps it in IndexedDB encrypted (core's wallet file), puts the
 * address in the payout field, mines to it, exports the key (WIF, checked with core's decoder in
 * Node) and the encrypted backup (opened with Node's WebCrypto, as the CLI would), survives a
 * reload and "Forget settings and history", and is deleted only after a confirmation. Every
 * request and WebSocket frame the page sends is recorded: the key is in none of them.
 * On a real coin (the pool's stats say mainnet) the page only says where an address comes from.
 */
import { decodeWif, openWalletFile, walletAddress } from '@otedama/core';
import { expect, test, type Page } from '@playwright/test';
import { whereToGetAnAddress } from '../src/wallet-panel.ts';
import { acceptedShares, edgeForFile } from './edge-fixture.ts';

const edge = edgeForFile();
const PASS = 'my test passphrase';

/** The wallet record in the page's IndexedDB, as stored. */
function storedWallet(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('otedama');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('wallet').objectStore('wallet').get('key');
          get.onsuccess = () => {
            resolve(get.result);
            db.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

test('on simnet a newcomer gets an address made in the browser, mines to it, backs it up and deletes it; the key never leaves the page', async ({ page }) => {
  test.setTimeout(180_000);
  const sent: string[] = [];
  page.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
  await page.goto(edge.url);
  await expect(page.locator('#wallet-box')).toBeVisible();
  await expect(page.locator('#wallet-intro')).toContainText('simnet');
  await expect(page.locator('#address-help')).toBeHidden();

  // Making the key: passphrase checks first.
  await page.getByRole('button', { name: 'Create an address for me' }).click();
  await page.getByLabel('Passphrase for the key (at least 8 characters)').fill(PASS);
  await page.getByLabel('The same passphrase again').fill(`${PASS}!`);
  await page.getByRole('button', { name: 'Create the address' }).click();
  await expect(page.locator('#wallet-status')).toHaveText('the two passphrases differ');
  await page.getByLabel('Passphrase for the key (at least 8 characters)').fill('short');
  await page.getByLabel('The same passphrase again').fill('short');
  await page.getByRole('button', { name: 'Create the address' }).click();
  await expect(page.locator('#wallet-status')).toHaveText(/at least 8 characters/);
  await page.getByLabel('Passphrase for the key (at least 8 characters)').fill(PASS);
  await page.getByLabel('The same passphrase again').fill(PASS);
  await page.getByRole('button', { name: 'Create the address' }).click();
  await expect(page.locator('#wallet-status')).toHaveText(/Your address is ready/, { timeout: 30_000 });
  const address = (await page.locator('#wallet-address').textContent())!;
  expect(address).toMatch(/^bcrt1q[a-z0-9]{38}$/);
  await expect(page.locator('#address')).toHaveValue(address);
  const stored = (await storedWallet(page)) as Record<string, unknown>;
  expect(stored).toMatchObject({ format: 'otedama-wallet', network: 'regtest', address, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000 }, cipher: { name: 'AES-GCM' } });

  // Export needs the passphrase again.
  await page.getByRole('button', { name: 'Back up the key…' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill('not my passphrase');
  await page.getByRole('button', { name: 'Show the key and the backup' }).click();
  await expect(page.locator('#wallet-status')).toHaveText(/wrong passphrase/, { timeout: 30_000 });
  await expect(page.locator('#wallet-exported')).toBeHidden();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await page.getByRole('button', { name: 'Show the key and the backup' }).click();
  await expect(page.locator('#wallet-exported')).toBeVisible({ timeout: 30_000 });
  const wif = (await page.locator('#wallet-wif').textContent())!;
  const key = decodeWif(wif);
  expect(key.networks).toContain('regtest');
  expect(walletAddress(key.privateKey, 'regtest')).toBe(address);
  const keyHex = Buffer.from(key.privateKey).toString('hex');
  expect(JSON.stringify(stored)).not.toContain(keyHex);
  expect(JSON.stringify(stored)).not.toContain(wif);
  // The backup is the encrypted file: Node's WebCrypto opens it with the passphrase, as the CLI does.
  const backup = await page.evaluate(async () => (await fetch((document.getElementById('wallet-backup') as HTMLAnchorElement).href)).text());
  const opened = await openWalletFile(JSON.parse(backup), PASS, globalThis.crypto.subtle);
  expect(Buffer.from(opened.privateKey).toString('hex')).toBe(keyHex);

  // A reload keeps the wallet.
  await page.reload();
  await expect(page.locator('#wallet-address')).toHaveText(address);

  // Mine to it.
  await page.getByRole('button', { name: 'Use this address' }).click();
  await expect(page.locator('#address')).toHaveValue(address);
  await page.fill('#threads', '1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  await expect(page.locator('#wallet-use')).toBeDisabled();
  await expect.poll(() => acceptedShares(page), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();

  // "Forget settings and history" forgets those, never the key.
  await page.getByRole('button', { name: 'Forget settings and history' }).click();
  await expect(page.locator('#address')).toHaveValue('');
  await page.reload();
  await expect(page.locator('#wallet-address')).toHaveText(address);

  // The address went to the pool (mining.authorize); the key went nowhere.
  expect(sent.some((s) => s.includes(address))).toBe(true);
  expect(sent.filter((s) => s.includes(keyHex) || s.includes(wif) || s.toLowerCase().includes(keyHex))).toEqual([]);

  // Delete asks first.
  await page.getByRole('button', { name: 'Delete the key…' }).click();
  await page.getByRole('button', { name: 'Keep it' }).click();
  expect(await storedWallet(page)).toBeDefined();
  await page.getByRole('button', { name: 'Delete the key…' }).click();
  await page.getByRole('button', { name: 'Delete for good' }).click();
  await expect(page.locator('#wallet-status')).toHaveText('The key is deleted from this browser.');
  await expect(page.getByRole('button', { name: 'Create an address for me' })).toBeVisible();
  expect(await storedWallet(page)).toBeUndefined();
});

test('on a real coin the page only asks for an address and says where to get one', async ({ page }) => {
  // No mainnet node can run here: the real edge's answer is passed through with its network changed.
  await page.route('**/api/pool/stats', async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { pool: { network: string } };
    body.pool.network = 'mainnet';
    await route.fulfill({ response: res, json: body });
  });
  await page.goto(edge.url);
  await expect(page.locator('#address-help')).toHaveText(whereToGetAnAddress('mainnet'));
  await expect(page.locator('#address-help')).toContainText('Bitcoin');
  await expect(page.locator('#wallet-box')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Create an address for me' })).toBeHidden();
});
