import {
  jwkThumbprint,
  signRequest,
  SigningKeyError,
  toPublicJwk,
  type SignatureHeaders,
} from '@tracelode/request-signatures';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const SIGN_HELP = `Usage:
  tracelode sign --key FILE --path PATH [--body FILE|-] [--method POST] [--key-id ID]
                 [--created SECONDS] [--curl URL]
  tracelode sign --generate DIR [--key-id ID]

Signs a command request the way the ledger checks it once your organisation has registered a signing
key: an RFC 9421 HTTP message signature (ed25519, label sig1) over the method, the path (without the
query) and the RFC 9530 Content-Digest of the body. Prints the three header fields to send:

  Content-Digest: sha-256=:...:
  Signature-Input: sig1=("@method" "@path" "content-digest");created=...;keyid="...";alg="ed25519"
  Signature: sig1=:...:

Send the body byte for byte as signed (curl --data-binary @FILE, not --data), within 300 s.

Options:
  --key FILE        your Ed25519 private key (PKCS#8 PEM)
  --path PATH       the request path, e.g. /batches/mined
  --body FILE|-     the exact request body, from a file or standard input (default: empty)
  --method METHOD   the request method (default: POST)
  --key-id ID       the keyid you registered the key under (default: the key's RFC 7638 thumbprint);
                    write --key-id=ID when ID begins with '-'
  --created SECONDS when the signature was made, Unix seconds (default: now)
  --curl URL        print a ready curl command for the ledger at URL instead of the bare headers
                    (it reads your API key from $TRACELODE_API_KEY)
  --generate DIR    write a new key pair: DIR/signing-key.pem (private, mode 0600),
                    DIR/signing-key.jwk.json (public JWK) and DIR/register-key.json (the body for
                    POST /orgs/{orgId}/keys)
  -h, --help        show this help`;

class UsageError extends Error {}

type Options =
  | { mode: 'help' }
  | { mode: 'generate'; dir: string; keyId?: string }
  | {
      mode: 'sign';
      key: string;
      path: string;
      method: string;
      body?: string;
      keyId?: string;
      created?: number;
      curl?: string;
    };

/** `tracelode sign`: 0 when done, 2 on a bad option (with the usage), 1 when a file or key is unusable. */
export function sign(args: string[]): Promise<number> {
  return Promise.resolve(signSync(args));
}

function signSync(args: string[]): number {
  let options: Options;
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError) && !isParseArgsError(error)) throw error;
    console.error(`sign: ${(error as Error).message}\n\n${SIGN_HELP}`);
    return 2;
  }
  if (options.mode === 'help') {
    console.log(SIGN_HELP);
    return 0;
  }
  if (options.mode === 'generate') return generate(options.dir, options.keyId);
  try {
    const body = options.body === undefined ? Buffer.alloc(0) : readBody(options.body);
    const headers = signRequest({
      method: options.method,
      path: options.path,
      body,
      privateKey: readFileSync(options.key, 'utf8'),
      ...(options.keyId !== undefined ? { keyId: options.keyId } : {}),
      ...(options.created !== undefined ? { created: options.created } : {}),
    });
    console.log(
      options.curl === undefined
        ? headerLines(headers)
        : curlCommand(options.curl, options.method, options.path, headers, options.body, body),
    );
    return 0;
  } catch (error) {
    console.error(`sign: ${describe(error)}`);
    return 1;
  }
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: 'string' },
      'key-id': { type: 'string' },
      method: { type: 'string' },
      path: { type: 'string' },
      body: { type: 'string' },
      created: { type: 'string' },
      curl: { type: 'string' },
      generate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { mode: 'help' };
  const keyId = values['key-id'];
  if (keyId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(keyId))
    throw new UsageError('--key-id must be 1-128 visible ASCII characters');
  if (values.generate !== undefined) {
    const extra = (['key', 'method', 'path', 'body', 'created', 'curl'] as const).filter(
      (name) => values[name] !== undefined,
    );
    if (extra.length) throw new UsageError(`--generate takes only --key-id, not --${extra.join(', --')}`);
    if (values.generate === '') throw new UsageError('--generate needs a directory');
    return { mode: 'generate', dir: values.generate, ...(keyId !== undefined ? { keyId } : {}) };
  }
  const { key, path, body, curl } = values;
  if (!key) throw new UsageError('--key FILE is required (or --generate DIR to make a key)');
  if (!path?.startsWith('/')) throw new UsageError('--path must be the request path, starting with /');
  const method = values.method ?? 'POST';
  if (!/^[A-Z]+$/.test(method)) throw new UsageError('--method must be an upper-case HTTP method, e.g. POST');
  if (values.created !== undefined && !/^\d{1,12}$/.test(values.created))
    throw new UsageError('--created must be Unix seconds');
  if (curl !== undefined && !/^https?:\/\/\S+$/.test(curl))
    throw new UsageError('--curl must be the ledger URL, e.g. http://localhost:3000');
  return {
    mode: 'sign',
    key,
    path,
    method,
    ...(body !== undefined ? { body } : {}),
    ...(keyId !== undefined ? { keyId } : {}),
    ...(values.created !== undefined ? { created: Number(values.created) } : {}),
    ...(curl !== undefined ? { curl } : {}),
  };
}

function generate(dir: string, keyId: string | undefined): number {
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = toPublicJwk(publicKey);
    const id = keyId ?? jwkThumbprint(jwk);
    const target = resolve(dir);
    mkdirSync(target, { recursive: true });
    const privatePath = join(target, 'signing-key.pem');
    // 'wx': never overwrite a key someone may already have registered.
    writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    });
    writeFileSync(join(target, 'signing-key.jwk.json'), `${JSON.stringify(jwk, null, 2)}\n`, { flag: 'wx' });
    writeFileSync(join(target, 'register-key.json'), `${JSON.stringify({ keyId: id, publicKey: jwk })}\n`, {
      flag: 'wx',
    });
    console.log(
      [
        `Wrote ${privatePath} (private: keep it secret), signing-key.jwk.json and register-key.json in ${target}.`,
        `keyId: ${id}`,
        'Register it (from then on, every command of your organisation must be signed):',
        `  curl -X POST "$LEDGER/orgs/$ORG_ID/keys" -H "Authorization: Bearer $TRACELODE_API_KEY" \\`,
        `    -H 'Content-Type: application/json' --data-binary @${join(target, 'register-key.json')}`,
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    console.error(`sign: ${describe(error)}`);
    return 1;
  }
}

function readBody(source: string): Buffer {
  return source === '-' ? readFileSync(0) : readFileSync(source);
}

function headerLines(headers: SignatureHeaders): string {
  return [
    `Content-Digest: ${headers['content-digest']}`,
    `Signature-Input: ${headers['signature-input']}`,
    `Signature: ${headers.signature}`,
  ].join('\n');
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function curlCommand(
  url: string,
  method: string,
  path: string,
  headers: SignatureHeaders,
  bodySource: string | undefined,
  body: Buffer,
): string {
  const data =
    bodySource === undefined
      ? []
      : [
          bodySource === '-'
            ? `--data-binary ${shellQuote(body.toString('utf8'))}`
            : `--data-binary @${shellQuote(bodySource)}`,
        ];
  return [
    `curl -sS -X ${method} ${shellQuote(url.replace(/\/+$/, '') + path)}`,
    `-H "Authorization: Bearer $TRACELODE_API_KEY"`,
    `-H 'Content-Type: application/json'`,
    `-H ${shellQuote(`Content-Digest: ${headers['content-digest']}`)}`,
    `-H ${shellQuote(`Signature-Input: ${headers['signature-input']}`)}`,
    `-H ${shellQuote(`Signature: ${headers.signature}`)}`,
    ...data,
  ].join(' \\\n  ');
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function describe(error: unknown): string {
  if (error instanceof SigningKeyError) return error.message;
  const code = (error as { code?: unknown }).code;
  if (code === 'EEXIST') return `${(error as { path?: string }).path} exists: not overwriting a key`;
  if (code === 'ENOENT') return `no such file: ${(error as { path?: string }).path}`;
  return error instanceof Error ? error.message : String(error);
}
