/**
 * The widget's words, in English and Japanese (the mechanism for more: add a dictionary with
 * the same keys; a unit test checks every language has every key and placeholder). `{name}`
 * placeholders are filled by `t()`; values are plain text (the frame sets textContent, never
 * HTML). Pure.
 */
import type { Lang } from './widget-options.ts';
import { FRAME_TITLES } from './frame-title.ts';

const en = {
  frameTitle: FRAME_TITLES.en,
  askTitle: 'Support {site} by mining?',
  askBody: 'If you click Start, this page uses {threads} of your {cores} CPU cores{gpu} to mine {algo} shares for {address}, the address {site} gave, through the pool {pool}.',
  askGpu: ' and, if you tick it, your graphics card (GPU)',
  askHow: 'Nothing runs before you click. It pauses while this tab is hidden and while the device runs on battery, and stops when you click Stop or leave the page.',
  gpuLabel: 'Also use my graphics card (GPU)',
  start: 'Start mining',
  decline: 'No thanks',
  about: 'What is this?',
  declined: 'You said no to mining on {site}. This widget remembers it.',
  askAgain: 'Ask me again',
  starting: 'Starting the miner…',
  mining: 'Mining for {site}',
  hashrate: 'Hashrate',
  shares: 'Accepted shares',
  stop: 'Stop',
  stopped: 'Stopped. {shares} shares were accepted for {site}.',
  startAgain: 'Start again',
  failed: 'Mining did not start: {reason}',
  tryAgain: 'Try again',
  covered: 'this widget is covered or hidden by the page, so it cannot show you what it does',
  tooSmall: 'the page made this widget too small to show its Stop button',
  untrusted: 'only a click on Start by you starts it',
  busy: 'another tab already mines for a site in this browser; stop it there first',
  paused: 'Paused: {reason}',
  throttled: 'Slowed to {percent} %: {reason}',
  thisSite: 'this site',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const ja: Dictionary = {
  frameTitle: FRAME_TITLES.ja,
  askTitle: 'マイニングで {site} を応援しますか？',
  askBody: '「開始」を押すと、このページはCPUの {cores} コアのうち {threads} コア{gpu}を使って、{site} が指定したアドレス {address} のために、プール {pool} 経由で {algo} のシェアを採掘します。',
  askGpu: '（チェックした場合はGPUも）',
  askHow: '押すまでは何も動きません。このタブが隠れている間とバッテリー駆動中は一時停止し、「停止」を押すかページを離れると止まります。',
  gpuLabel: 'グラフィックカード（GPU）も使う',
  start: 'マイニングを開始',
  decline: 'いいえ',
  about: 'これは何？',
  declined: '{site} でのマイニングをお断りになりました。このウィジェットはそれを記憶します。',
  askAgain: 'もう一度たずねる',
  starting: 'マイナーを起動しています…',
  mining: '{site} のためにマイニング中',
  hashrate: 'ハッシュレート',
  shares: '承認されたシェア',
  stop: '停止',
  stopped: '停止しました。{site} のために {shares} シェアが承認されました。',
  startAgain: 'もう一度開始',
  failed: 'マイニングは開始されませんでした：{reason}',
  tryAgain: '再試行',
  covered: 'このウィジェットがページに覆われているか隠されているため、内容をお見せできません',
  tooSmall: 'ページがこのウィジェットを小さくしすぎて停止ボタンを表示できません',
  untrusted: 'あなた自身が「開始」を押したときだけ開始します',
  busy: 'このブラウザの別のタブがすでにマイニングしています。先にそちらを停止してください',
  paused: '一時停止中：{reason}',
  throttled: '{percent} % に減速：{reason}',
  thisSite: 'このサイト',
};

export const DICTIONARIES: Record<Lang, Dictionary> = { en, ja };

/** The text for `key` in `lang` with `{name}` placeholders filled from `vars`. */
export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return (DICTIONARIES[lang] ?? en)[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
