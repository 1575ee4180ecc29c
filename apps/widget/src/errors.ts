/**
 * The widget's errors. Each has a stable `name` and a `reason` the site owner (a bad snippet) or
 * the visitor (a refused start) can act on.
 */
import { OtedamaError } from '@otedama/core';

/** A `data-*` attribute of the script tag (or a frame URL parameter) that cannot be used; `field` names it. */
export class WidgetOptionError extends OtedamaError {
  override readonly name = 'WidgetOptionError';
  constructor(
    readonly field: 'address' | 'pool' | 'algo' | 'threads' | 'gpu' | 'theme' | 'lang',
    reason: string,
  ) {
    super('widget-option', reason);
  }
}

/** The frame refused to start mining (no real click, the frame covered or too small), with the reason. */
export class ConsentError extends OtedamaError {
  override readonly name = 'ConsentError';
  constructor(reason: string) {
    super('widget-consent', reason);
  }
}
