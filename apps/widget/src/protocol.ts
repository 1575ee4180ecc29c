/**
 * The postMessage protocol between the host page (the loader, loader.ts) and the widget's frame
 * (frame.ts, served from the edge's origin). Both sides check where a message comes from (the
 * frame: its parent window and the site's origin; the loader: its iframe's window and the edge's
 * origin) and read it with the strict readers below, which return undefined for anything that
 * is not exactly a message of this protocol. Pure: no DOM.
 *
 * The host can ask for two things only: `start` (show the visitor the question and put focus on
 * its Start button; mining begins when the visitor clicks it inside the frame, never on a
 * message) and `stop` (stop at once). The frame tells the host its state, its content height,
 * the live hashrate and the share counts.
 */

/** Marks every message of this protocol (messages of other scripts on the page are ignored). */
export const PROTOCOL = 'otedama-widget';
export const PROTOCOL_VERSION = 1;
/** Largest height (CSS px) the frame may ask for; the loader clamps to it. */
export const MAX_FRAME_HEIGHT_PX = 640;
/** Longest reason text carried in a state message. */
export const MAX_REASON_CHARS = 300;

/**
 * ask: the question is shown; declined: the visitor said no on this site (remembered);
 * starting, mining, stopped; error: it could not start (the reason says why).
 */
export type WidgetState = 'ask' | 'declined' | 'starting' | 'mining' | 'stopped' | 'error';
export const WIDGET_STATES: readonly WidgetState[] = ['ask', 'declined', 'starting', 'mining', 'stopped', 'error'];

export type FrameMessage =
  | { type: 'state'; state: WidgetState; reason?: string }
  | { type: 'size'; height: number }
  | { type: 'hashrate'; hashrate: number; cpu: number; gpu: number }
  | { type: 'shares'; accepted: number; rejected: number; stale: number };

export type HostMessage = { type: 'start' } | { type: 'stop' };

/** The envelope both sides post. */
export function envelope<T extends FrameMessage | HostMessage>(message: T): T & { protocol: string; v: number } {
  return { protocol: PROTOCOL, v: PROTOCOL_VERSION, ...message };
}

type Rec = Record<string, unknown>;

function body(data: unknown): Rec | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const d = data as Rec;
  return d.protocol === PROTOCOL && d.v === PROTOCOL_VERSION && typeof d.type === 'string' ? d : undefined;
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const rate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A message from the frame, or undefined when `data` is not exactly one. */
export function readFrameMessage(data: unknown): FrameMessage | undefined {
  const d = body(data);
  if (!d) return undefined;
  switch (d.type) {
    case 'state': {
      if (!WIDGET_STATES.includes(d.state as WidgetState)) return undefined;
      if (d.reason !== undefined && (typeof d.reason !== 'string' || d.reason.length > MAX_REASON_CHARS)) return undefined;
      return d.reason === undefined ? { type: 'state', state: d.state as WidgetState } : { type: 'state', state: d.state as WidgetState, reason: d.reason as string };
    }
    case 'size':
      return rate(d.height) && d.height <= MAX_FRAME_HEIGHT_PX ? { type: 'size', height: d.height } : undefined;
    case 'hashrate':
      return rate(d.hashrate) && rate(d.cpu) && rate(d.gpu) ? { type: 'hashrate', hashrate: d.hashrate, cpu: d.cpu, gpu: d.gpu } : undefined;
    case 'shares':
      return count(d.accepted) && count(d.rejected) && count(d.stale) ? { type: 'shares', accepted: d.accepted, rejected: d.rejected, stale: d.stale } : undefined;
    default:
      return undefined;
  }
}

/** A message from the host page, or undefined when `data` is not exactly one. */
export function readHostMessage(data: unknown): HostMessage | undefined {
  const d = body(data);
  if (!d) return undefined;
  return d.type === 'start' || d.type === 'stop' ? { type: d.type } : undefined;
}
