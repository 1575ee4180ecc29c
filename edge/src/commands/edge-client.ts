/**
 * The CLI's view of a running edge: JSON over its HTTP API (`--url`, default
 * http://127.0.0.1:8080). A refused connection or a non-edge answer becomes an EdgeClientError
 * that says how to start one; API errors carry the edge's own message.
 */
import { EdgeClientError } from '../errors.ts';

export const DEFAULT_EDGE_URL = 'http://127.0.0.1:8080';
/** How long a plain API request may take before the CLI gives up. */
export const EDGE_REQUEST_TIMEOUT_MS = 10_000;

export class EdgeClient {
  readonly base: string;

  constructor(url: string = DEFAULT_EDGE_URL) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new EdgeClientError(`--url must be an http:// URL such as ${DEFAULT_EDGE_URL} (got "${url}")`, 400);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new EdgeClientError(`--url must be an http:// or https:// URL (got "${url}")`, 400);
    this.base = u.origin;
  }

  get<T>(path: string, timeoutMs = EDGE_REQUEST_TIMEOUT_MS): Promise<T> {
    return this.request<T>('GET', path, timeoutMs);
  }

  post<T>(path: string, timeoutMs = EDGE_REQUEST_TIMEOUT_MS, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>('POST', path, timeoutMs, headers);
  }

  private unreachable(detail: string): EdgeClientError {
    return new EdgeClientError(`no Otedama edge answers at ${this.base} (${detail}) — start one with npm start or otedama pool, or pass --url`);
  }

  private async request<T>(method: string, path: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const detail = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : e.cause?.code ?? (e.message === 'fetch failed' ? 'connection failed' : e.message);
      throw this.unreachable(detail);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.unreachable(`HTTP ${res.status} with a body that is not JSON; is it an Otedama edge?`);
    }
    if (!res.ok) {
      const message = (body as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
      throw new EdgeClientError(`the edge at ${this.base} answered ${res.status}: ${message}`, res.status);
    }
    return body as T;
  }
}
