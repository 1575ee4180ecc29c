/**
 * The web miner's entry point. Before the person presses Start this module only renders the
 * consent screen: no miner code is loaded and no job socket is opened. Start dynamically
 * imports the miner, which brings the workers and the pool connection.
 */
import type { BrowserMiner, MinerStats } from './miner.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const SETTINGS_KEY = 'otedama.settings';

interface Settings {
  address: string;
  threads: number;
  gpu: boolean;
}

function loadSettings(): Partial<Settings> {
  try {
    return JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>;
  } catch {
    return {};
  }
}

function formatRate(hps: number): string {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s'];
  let i = 0;
  while (hps >= 1000 && i < units.length - 1) {
    hps /= 1000;
    i++;
  }
  return `${hps.toFixed(i === 0 ? 0 : 2)} ${units[i]}`;
}

let miner: BrowserMiner | undefined;

function logEvent(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  const list = $('events');
  list.prepend(li);
  while (list.children.length > 100) list.lastElementChild?.remove();
}

function render(stats: MinerStats): void {
  $('hashrate').textContent = formatRate(stats.hashrate);
  $('cpu-hashrate').textContent = formatRate(stats.cpuHashrate);
  $('gpu-hashrate').textContent = stats.gpuAdapter ? formatRate(stats.gpuHashrate) : '–';
  $('accepted').textContent = String(stats.accepted);
  $('rejected').textContent = String(stats.rejected);
  $('difficulty').textContent = stats.difficulty ? String(stats.difficulty) : '–';
  $('connection').textContent = stats.connection;
}

async function start(settings: Settings): Promise<void> {
  const { BrowserMiner, validatePayoutAddress } = await import('./miner.ts');
  const problem = validatePayoutAddress(settings.address);
  if (problem) throw new Error(problem);
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  $('consent').hidden = true;
  $('dashboard').hidden = false;
  $('mining-indicator').hidden = false;
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/stratum`;
  miner = new BrowserMiner({ ...settings, worker: 'web', wsUrl, onStats: render, onEvent: logEvent });
  await miner.start();
}

async function stop(): Promise<void> {
  await miner?.stop();
  miner = undefined;
  $('mining-indicator').hidden = true;
  $('dashboard').hidden = true;
  $('consent').hidden = false;
}

const saved = loadSettings();
const cores = navigator.hardwareConcurrency || 2;
($('address') as HTMLInputElement).value = saved.address ?? '';
($('threads') as HTMLInputElement).value = String(saved.threads ?? Math.max(1, Math.floor(cores / 2)));
($('threads') as HTMLInputElement).max = String(cores);

/**
 * Looks for a WebGPU adapter to name it next to the GPU checkbox. This asks the browser for an
 * adapter only: it loads no miner code, creates no device and opens no socket. The box stays
 * unticked until the person ticks it (or ticked it last time).
 */
async function probeGpu(): Promise<void> {
  const box = $('gpu') as HTMLInputElement;
  const note = $('gpu-adapter');
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    note.textContent = 'unavailable: this browser has no WebGPU';
    return;
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions));
  } catch (err) {
    note.textContent = `unavailable: ${err instanceof Error ? err.message : String(err)}`;
    return;
  }
  if (!adapter) {
    note.textContent = 'unavailable: no WebGPU adapter on this device';
    return;
  }
  const info = adapter.info;
  note.textContent = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'WebGPU adapter';
  box.disabled = false;
  box.checked = saved.gpu === true;
}
void probeGpu();

$('setup').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const address = ($('address') as HTMLInputElement).value.trim();
  const gpuBox = $('gpu') as HTMLInputElement;
  const gpu = gpuBox.checked && !gpuBox.disabled;
  const threads = Math.max(gpu ? 0 : 1, Math.min(cores, Math.floor(Number(($('threads') as HTMLInputElement).value) || 0)));
  $('setup-error').textContent = '';
  start({ address, threads, gpu }).catch((err: unknown) => {
    $('setup-error').textContent = err instanceof Error ? err.message : String(err);
    void stop();
  });
});
$('stop').addEventListener('click', () => void stop());

// The service worker serves the app shell offline (public/sw.js). Registering it loads no miner
// code: it caches the shell and whatever the page later fetches from /assets/.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((err: unknown) => logEvent(`offline support unavailable: ${String(err)}`));
  });
}
