import { hash } from 'node:crypto';

/** SHA-256 of a text's UTF-8, in hex; one call into OpenSSL (`crypto.hash`), no Hash object a request. */
export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');
