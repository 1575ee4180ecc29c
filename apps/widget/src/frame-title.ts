/**
 * The frame's accessible name (the iframe's title, which screen readers announce), per language.
 * Apart from i18n.ts so the loader carries these two strings and not the whole dictionary.
 */
import type { Lang } from './widget-options.ts';

export const FRAME_TITLES: Record<Lang, string> = {
  en: 'Mining widget: asks before it mines',
  ja: 'マイニングウィジェット：採掘の前に確認します',
};
