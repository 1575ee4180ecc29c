import { describe, expect, it } from 'vitest';
import { declineKey, forgetDecline, isDeclined, rememberDecline } from './opt-out.ts';

/** A Storage over a Map (Node has no localStorage); `blocked` throws like a browser that denies it. */
function memoryStorage(blocked = false): Storage {
  const m = new Map<string, string>();
  const guard = () => {
    if (blocked) throw new DOMException('Access is denied for this document.', 'SecurityError');
  };
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => (guard(), m.get(k) ?? null),
    setItem: (k, v) => (guard(), void m.set(k, v)),
    removeItem: (k) => (guard(), void m.delete(k)),
  };
}

describe('"No thanks" per site', () => {
  it('is remembered for the site that heard it and no other', () => {
    const store = memoryStorage();
    rememberDecline('https://blog.example', store, Date.UTC(2026, 0, 1));
    expect(store.getItem(declineKey('https://blog.example'))).toBe('2026-01-01T00:00:00.000Z');
    expect(isDeclined('https://blog.example', store)).toBe(true);
    expect(isDeclined('https://shop.example', store)).toBe(false);
    forgetDecline('https://blog.example', store);
    expect(isDeclined('https://blog.example', store)).toBe(false);
  });

  it('lasts for the page where the browser blocks the storage', () => {
    const store = memoryStorage(true);
    expect(isDeclined('https://a.example', store)).toBe(false);
    rememberDecline('https://a.example', store);
    expect(isDeclined('https://a.example', store)).toBe(true);
    forgetDecline('https://a.example', store);
    expect(isDeclined('https://a.example', store)).toBe(false);
  });
});
