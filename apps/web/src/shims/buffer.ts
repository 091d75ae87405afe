import { Buffer as Polyfill } from 'buffer/';

/**
 * Node's Buffer for the shared libraries in the browser: the `buffer` package, taught the one encoding it
 * lacks and the libraries use (`base64url`, RFC 4648 §5). Installed as `globalThis.Buffer` before the
 * verifier's modules load (src/verify-in-browser.ts imports them only afterwards).
 */
type Encoding = Parameters<typeof Polyfill.from>[1];
const toBase64 = (text: string) => {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
};
const from = Polyfill.from.bind(Polyfill) as (...args: unknown[]) => Polyfill;
(Polyfill as unknown as { from: (...args: unknown[]) => Polyfill }).from = (...args: unknown[]) =>
  typeof args[0] === 'string' && args[1] === 'base64url' ? from(toBase64(args[0]), 'base64') : from(...args);
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own `this` below
const toString = Polyfill.prototype.toString;
/** The browser's own base64 (Uint8Array.prototype.toBase64, Chromium 140 and later), where it has it. */
const nativeBase64 = (Uint8Array.prototype as { toBase64?: unknown }).toBase64 as
  ((this: Uint8Array, options: { alphabet: 'base64url'; omitPadding: boolean }) => string) | undefined;
Polyfill.prototype.toString = function (this: Polyfill, encoding?: string, start?: number, end?: number) {
  if (encoding !== 'base64url') return toString.call(this, encoding as Encoding & string, start, end);
  // The verifier writes every digest in base64url: natively, not through the polyfill's JS loop and regexes.
  if (nativeBase64 && start === undefined && end === undefined)
    return nativeBase64.call(this, { alphabet: 'base64url', omitPadding: true });
  return toString.call(this, 'base64', start, end).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const isEncoding = Polyfill.isEncoding.bind(Polyfill);
Polyfill.isEncoding = (encoding: string) => encoding === 'base64url' || isEncoding(encoding);

export const Buffer = Polyfill;
(globalThis as { Buffer?: unknown }).Buffer ??= Polyfill;
