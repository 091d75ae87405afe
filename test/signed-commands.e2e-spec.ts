import { type AuditBundle, verifyAuditBundle, withholdFields } from '@tracelode/evidence';
import { importLedgerKey, type PublicKeyDocument } from '@tracelode/log';
import {
  type Ed25519PublicJwk,
  importPublicKey,
  jwkThumbprint,
  type SignedRequest,
  signRequest,
  toPublicJwk,
  verifySignedRequest,
} from '@tracelode/request-signatures';
import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, type Reply } from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');

interface Signer {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly jwk: Ed25519PublicJwk;
}

function newSigner(keyId?: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = toPublicJwk(publicKey);
  return { keyId: keyId ?? jwkThumbprint(jwk), privateKey, jwk };
}

describe('signed commands (RFC 9421 over HTTP)', () => {
  let ledger: LedgerHarness;
  let token: string;
  const first = newSigner('signco-1');
  let rotatedKey: Signer; // set by the rotation test
  let signingKey: Signer; // the organisation's active key after the recovery test

  /** POSTs `body` signed by `signer` for `signedAs` (default: the same method and path). */
  async function signedPost(
    path: string,
    body: unknown,
    signer: Signer,
    options: {
      signedAs?: { method?: string; path?: string };
      sentBody?: string;
      created?: number;
      keyId?: string;
      apiKey?: string;
    } = {},
  ) {
    const raw = JSON.stringify(body);
    const headers = signRequest({
      method: options.signedAs?.method ?? 'POST',
      path: options.signedAs?.path ?? path,
      body: raw,
      privateKey: signer.privateKey,
      keyId: options.keyId ?? signer.keyId,
      ...(options.created !== undefined ? { created: options.created } : {}),
    });
    return ledger.request<Record<string, unknown>>('POST', path, {
      token: options.apiKey ?? token,
      rawBody: options.sentBody ?? raw,
      headers,
    });
  }

  /** The request is refused with 401 and `code`, and the log does not move. */
  const expectRefused = (send: () => Promise<Reply<unknown>>, code: string) =>
    expectRefusal(send, 401, code, ledger);

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    token = await ledger.organisation(
      'signco',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
  });
  afterAll(() => ledger.stop());

  it('lets an organisation without a signing key send commands unsigned', async () => {
    const other = await ledger.organisation(
      'plainco',
      'CA',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    expect((await ledger.post('/batches/mined', other, minedBatch('PLAIN-1'))).status).toBe(201);
  });

  it('registers a key (a JWK), unsigned while the organisation has none', async () => {
    const reply = await ledger.post('/orgs/signco/keys', token, { keyId: first.keyId, publicKey: first.jwk });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      orgId: 'signco',
      keyId: 'signco-1',
      publicKey: first.jwk,
      position: expect.stringMatching(/^\d+$/),
    });
  });

  it('then refuses an unsigned command: 401 SIGNATURE_REQUIRED, nothing written', () =>
    expectRefused(() => ledger.post('/batches/mined', token, minedBatch('SIG-0')), 'SIGNATURE_REQUIRED'));

  it('refuses a signature by another key under the registered keyid: SIGNATURE_INVALID', () =>
    expectRefused(
      () => signedPost('/batches/mined', minedBatch('SIG-0'), newSigner(), { keyId: first.keyId }),
      'SIGNATURE_INVALID',
    ));

  it('refuses a keyid the organisation never registered: SIGNATURE_KEY_UNKNOWN', () =>
    expectRefused(
      () => signedPost('/batches/mined', minedBatch('SIG-0'), newSigner('stranger')),
      'SIGNATURE_KEY_UNKNOWN',
    ));

  it('refuses a body altered after signing: CONTENT_DIGEST_MISMATCH', () =>
    expectRefused(
      () =>
        signedPost('/batches/mined', minedBatch('SIG-0'), first, {
          sentBody: JSON.stringify(minedBatch('SIG-0', 99999)),
        }),
      'CONTENT_DIGEST_MISMATCH',
    ));

  it('refuses a body that differs only in whitespace: the digest is over the raw bytes', () =>
    expectRefused(
      () =>
        signedPost('/batches/mined', minedBatch('SIG-0'), first, {
          sentBody: JSON.stringify(minedBatch('SIG-0'), null, 1),
        }),
      'CONTENT_DIGEST_MISMATCH',
    ));

  it('refuses a signature made for another path or method: SIGNATURE_INVALID', async () => {
    await expectRefused(
      () =>
        signedPost('/batches/mined', minedBatch('SIG-0'), first, {
          signedAs: { path: '/batches/SIG-0/holds' },
        }),
      'SIGNATURE_INVALID',
    );
    await expectRefused(
      () => signedPost('/batches/mined', minedBatch('SIG-0'), first, { signedAs: { method: 'PUT' } }),
      'SIGNATURE_INVALID',
    );
  });

  it('refuses a signature created more than 300 s ago: SIGNATURE_EXPIRED', () =>
    expectRefused(
      () =>
        signedPost('/batches/mined', minedBatch('SIG-0'), first, {
          created: Math.floor(Date.now() / 1000) - 600,
        }),
      'SIGNATURE_EXPIRED',
    ));

  it('refuses a signature that does not cover method, path and Content-Digest: SIGNATURE_MALFORMED', () =>
    expectRefused(
      () =>
        ledger.request('POST', '/batches/mined', {
          token,
          body: minedBatch('SIG-0'),
          headers: {
            'signature-input': 'sig1=("@method");created=1;keyid="signco-1"',
            signature: 'sig1=:AAAA:',
          },
        }),
      'SIGNATURE_MALFORMED',
    ));

  it('accepts a valid signature and keeps it in the command’s first event, verifiable offline', async () => {
    const body = minedBatch('SIG-1');
    const reply = await signedPost('/batches/mined', body, first);
    expect(reply.status).toBe(201);
    // The events route decides who may read from the views (ADR 0023) and takes no minPosition: wait here.
    const custody = await ledger.get(`/batches/SIG-1?minPosition=${String(reply.body.position)}`, token);
    expect(custody.status).toBe(200);
    const events = await ledger.get<{ type: string; metadata: { signedRequest?: SignedRequest } }[]>(
      '/batches/SIG-1/events',
      token,
    );
    expect(events.body.map((event) => event.type)).toEqual(['BatchMined']);
    const signed = events.body[0]!.metadata.signedRequest!;
    expect(signed).toMatchObject({
      keyId: 'signco-1',
      alg: 'ed25519',
      label: 'sig1',
      components: { '@method': 'POST', '@path': '/batches/mined' },
    });
    expect(signed.signatureParams).toMatch(
      /^\("@method" "@path" "content-digest"\);created=\d+;keyid="signco-1";alg="ed25519"$/,
    );
    expect(JSON.parse(signed.body)).toEqual(body);
    expect(verifySignedRequest(signed, first.jwk)).toEqual({ ok: true });
    expect(
      verifySignedRequest({ ...signed, body: signed.body.replace('SIG-1', 'SIG-X') }, first.jwk),
    ).toMatchObject({
      code: 'CONTENT_DIGEST_MISMATCH',
    });
    expect(verifySignedRequest(signed, newSigner().jwk)).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('puts the signed command in the batch’s audit bundle, where the verifier checks it against the registered key', async () => {
    // The whole bundle is the operator's (or an auditor's) to read: the signer is a participant.
    const reply = await ledger.get<AuditBundle>('/batches/SIG-1/audit-bundle', ADMIN_TOKEN);
    expect(reply.status).toBe(200);
    const ledgerKey = importLedgerKey(
      (await ledger.request<PublicKeyDocument>('GET', '/log/public-key')).body,
    );
    const verdict = verifyAuditBundle(reply.body, { publicKey: ledgerKey });
    expect(verdict.ok).toBe(true);
    expect(verdict.passed).toContainEqual(expect.stringMatching(/^signatures: 1 events carry/));
    expect(reply.body.events.map((event) => event.type)).toContain('SigningKeyRegistered');
  });

  it('shows a signed command as signed when its bundle withholds the request, by the ledger’s record of the signature', async () => {
    // The whole bundle, as the operator reads it, withheld here by hand.
    const reply = await ledger.get<AuditBundle>('/batches/SIG-1/audit-bundle', ADMIN_TOKEN);
    const ledgerKey = importLedgerKey(
      (await ledger.request<PublicKeyDocument>('GET', '/log/public-key')).body,
    );
    const i = reply.body.events.findIndex((event) => event.metadata.signedRequest !== undefined);
    const signed = reply.body.events[i]!;
    expect(signed.metadata.requestSignature).toEqual({ keyId: 'signco-1', alg: 'ed25519', verified: true });
    const withholding = (paths: string[]): AuditBundle => ({
      ...reply.body,
      events: reply.body.events.map((event, j) => (j === i ? withholdFields(event, paths) : event)),
    });

    const verdict = verifyAuditBundle(withholding(['metadata.signedRequest']), { publicKey: ledgerKey });
    expect(verdict.failure).toBeUndefined();
    expect(verdict.passed).toContainEqual(
      expect.stringMatching(/^signatures: 0 events carry .*; 1 more were signed, the request withheld/),
    );
    expect(JSON.stringify(withholding(['metadata.signedRequest']))).not.toContain('content-digest');

    const neither = verifyAuditBundle(withholding(['metadata.signedRequest', 'metadata.requestSignature']), {
      publicKey: ledgerKey,
    });
    expect(neither.failure).toMatchObject({ check: 'signatures', eventId: signed.eventId });
  });

  it('keeps a signed transformation’s request in its declaration only; its other events name it, and `tracelode verify` checks them by it in both bundle forms', async () => {
    const body = {
      transformationId: 'SIG-T1',
      facilityId: 'mt-weld',
      process: 'cracking_leaching',
      occurredAt: '2026-03-25T08:00:00+08:00',
      inputs: [{ batchId: 'SIG-1', consumedKg: 10_000 }],
      outputs: [
        { batchId: 'SIG-1-A', material: { form: 'mixed_compound', elements: ['Nd', 'Pr'] }, massKg: 4_000 },
        { batchId: 'SIG-1-B', material: { form: 'mixed_compound', elements: ['La', 'Ce'] }, massKg: 5_000 },
      ],
      residues: [{ kind: 'tailings', massKg: 1_000 }],
      processEmissionsKgCo2e: 1_200,
    };
    expect((await signedPost('/transformations', body, first)).status).toBe(201);
    // The whole bundle is the operator's (or an auditor's) to read: the signer is a participant.
    const reply = await ledger.get<AuditBundle>('/batches/SIG-1-A/audit-bundle', ADMIN_TOKEN);
    expect(reply.status).toBe(200);
    const declaration = reply.body.events.find((event) => event.type === 'TransformationRecorded')!;
    const { commandId } = declaration.metadata as { commandId: string };
    const command = reply.body.events.filter((event) => event.metadata.commandId === commandId);
    expect(command.map((event) => event.type)).toEqual([
      'TransformationRecorded',
      'BatchRefined',
      'BatchProduced',
    ]);
    expect(JSON.parse((declaration.metadata.signedRequest as SignedRequest).body)).toEqual(body);
    for (const event of command.slice(1)) {
      expect(event.metadata.signedRequest).toBeUndefined();
      expect(event.metadata.requestSignature).toEqual({
        keyId: 'signco-1',
        alg: 'ed25519',
        verified: true,
        requestEventId: declaration.eventId,
      });
    }

    const ledgerKey = importLedgerKey(
      (await ledger.request<PublicKeyDocument>('GET', '/log/public-key')).body,
    );
    // Signed: SIG-1's mining and the declaration; named by reference: SIG-1's refining and SIG-1-A's making.
    expect(verifyAuditBundle(reply.body, { publicKey: ledgerKey }).signatures).toEqual({
      signed: 2,
      referenced: 2,
      attested: 0,
    });
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-signed-bundle-'));
    try {
      const streamed = await fetch(`${ledger.baseUrl}/batches/SIG-1-A/audit-bundle`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/x-ndjson' },
      });
      expect(streamed.status).toBe(200);
      const files = {
        'bundle.json': JSON.stringify(reply.body),
        'bundle.ndjson': await streamed.text(),
      };
      for (const [name, text] of Object.entries(files)) {
        writeFileSync(join(dir, name), text);
        const stdout = execFileSync(process.execPath, [CLI_MAIN, 'verify', join(dir, name)], {
          encoding: 'utf8',
        });
        expect(stdout).toContain('VERIFIED');
        expect(stdout).toMatch(
          /✔ signatures: 2 events carry .*; 2 more, of the same commands, name the event that carries it\n/,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('covers the path without its query, as RFC 9421 @path does', async () => {
    const reply = await signedPost('/batches/mined?note=1', minedBatch('SIG-2'), first, {
      signedAs: { path: '/batches/mined' },
    });
    expect(reply.status).toBe(201);
  });

  it('answers a signed retry with the same Idempotency-Key from the log, writing nothing more', async () => {
    const raw = JSON.stringify(minedBatch('SIG-3'));
    const send = () =>
      ledger.request('POST', '/batches/mined', {
        token,
        rawBody: raw,
        headers: {
          'idempotency-key': 'signed-retry',
          ...signRequest({
            method: 'POST',
            path: '/batches/mined',
            body: raw,
            privateKey: first.privateKey,
            keyId: first.keyId,
          }),
        },
      });
    const one = await send();
    const count = await ledger.eventCount();
    const two = await send();
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.body).toEqual(one.body);
    expect(await ledger.eventCount()).toBe(count);
  });

  it('refuses unsigned key management too, once signing is on', async () => {
    const next = newSigner();
    await expectRefused(
      () => ledger.post('/orgs/signco/keys', token, { publicKey: next.jwk }),
      'SIGNATURE_REQUIRED',
    );
    await expectRefused(
      () => ledger.post(`/orgs/signco/keys/${first.keyId}/revoke`, token, { reason: 'unsigned' }),
      'SIGNATURE_REQUIRED',
    );
  });

  it('rotates: a new key (SPKI PEM, default keyid) replaces the old one, which is refused from then on', async () => {
    const second = newSigner();
    const spki = importPublicKey(second.jwk).export({ type: 'spki', format: 'pem' }).toString();
    const rotated = await signedPost('/orgs/signco/keys', { publicKey: spki, replaces: first.keyId }, first);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ keyId: second.keyId, publicKey: second.jwk, replaces: first.keyId });

    await expectRefused(
      () => signedPost('/batches/mined', minedBatch('SIG-4'), first),
      'SIGNATURE_KEY_REVOKED',
    );
    expect((await signedPost('/batches/mined', minedBatch('SIG-4'), second)).status).toBe(201);
    rotatedKey = second;
  });

  it('revokes a key; with every key revoked, signing stays required and an admin registers a new key', async () => {
    const revoked = await signedPost(
      `/orgs/signco/keys/${rotatedKey.keyId}/revoke`,
      { reason: 'laptop lost' },
      rotatedKey,
    );
    expect(revoked.status).toBe(201);
    await expectRefused(
      () => signedPost('/batches/mined', minedBatch('SIG-5'), rotatedKey),
      'SIGNATURE_KEY_REVOKED',
    );
    await expectRefused(
      () => ledger.post('/batches/mined', token, minedBatch('SIG-5')),
      'SIGNATURE_REQUIRED',
    );

    const recovery = newSigner('signco-recovery');
    const byAdmin = await ledger.post('/orgs/signco/keys', ADMIN_TOKEN, {
      keyId: recovery.keyId,
      publicKey: recovery.jwk,
    });
    expect(byAdmin.status).toBe(201);
    expect((await signedPost('/batches/mined', minedBatch('SIG-5'), recovery)).status).toBe(201);
    signingKey = recovery;
  });

  it('verifies the rotation in a bundle: the old key’s revocation names the registration its request is kept in', async () => {
    const reply = await ledger.get<AuditBundle>('/batches/SIG-5/audit-bundle', ADMIN_TOKEN);
    const ledgerKey = importLedgerKey(
      (await ledger.request<PublicKeyDocument>('GET', '/log/public-key')).body,
    );
    const rotation = reply.body.events.find(
      (event) => event.type === 'SigningKeyRegistered' && event.data.replaces === first.keyId,
    )!;
    const revoked = reply.body.events.find(
      (event) => event.type === 'SigningKeyRevoked' && event.data.keyId === first.keyId,
    )!;
    expect(rotation.metadata.signedRequest).toMatchObject({ keyId: first.keyId });
    expect(revoked.metadata.signedRequest).toBeUndefined();
    expect(revoked.metadata.requestSignature).toMatchObject({ requestEventId: rotation.eventId });
    const verdict = verifyAuditBundle(reply.body, { publicKey: ledgerKey });
    expect(verdict.failure).toBeUndefined();
    // SIG-5's mining, the rotation, the second key's own revocation; the first key's revocation by reference.
    expect(verdict.signatures).toEqual({ signed: 3, referenced: 1, attested: 0 });
  });

  it('refuses a private key, a reused keyid and another organisation’s keys, writing nothing', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const cases: [unknown, number, string][] = [
      [{ publicKey: privateKey.export({ format: 'jwk' }) }, 400, 'SIGNING_KEY_INVALID'],
      [{ publicKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }, 400, 'SIGNING_KEY_INVALID'],
      [{ publicKey: { kty: 'RSA', n: 'x', e: 'AQAB' } }, 400, 'SIGNING_KEY_INVALID'],
      [{ keyId: 'signco-1', publicKey: newSigner().jwk }, 409, 'SIGNING_KEY_ALREADY_EXISTS'],
      [{ publicKey: newSigner().jwk, replaces: 'nope' }, 404, 'SIGNING_KEY_NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      await expectRefusal(() => signedPost('/orgs/signco/keys', body, signingKey), status, code, ledger);
    }
    const plain = await ledger.organisation('plainco2', 'CA', ['producer']);
    await expectRefusal(
      await ledger.post('/orgs/signco/keys', plain, { publicKey: newSigner().jwk }),
      403,
      'NOT_YOUR_ORGANISATION',
    );
  });

  it('accepts a request signed by the built `tracelode sign` CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-sign-'));
    try {
      const cli = (args: string[]) =>
        execFileSync(process.execPath, [CLI_MAIN, 'sign', ...args], { encoding: 'utf8' });
      cli(['--generate', join(dir, 'keys')]);
      expect(statSync(join(dir, 'keys', 'signing-key.pem')).mode & 0o777).toBe(0o600);
      const registration = readFileSync(join(dir, 'keys', 'register-key.json'), 'utf8');
      const { keyId } = JSON.parse(registration) as { keyId: string };
      // Registering the CLI's key is itself a command: signed by the organisation's current key.
      const registered = await signedPost('/orgs/signco/keys', JSON.parse(registration), signingKey);
      expect(registered.status).toBe(201);

      const bodyFile = join(dir, 'mined.json');
      writeFileSync(bodyFile, `${JSON.stringify(minedBatch('SIG-CLI'), null, 2)}\n`);
      const printed = cli([
        '--key',
        join(dir, 'keys', 'signing-key.pem'),
        '--path',
        '/batches/mined',
        '--body',
        bodyFile,
      ]);
      const headers = Object.fromEntries(
        printed
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 2)]),
      );
      expect(Object.keys(headers)).toEqual(['content-digest', 'signature-input', 'signature']);
      expect(headers['signature-input']).toContain(`keyid="${keyId}"`);
      const reply = await ledger.request('POST', '/batches/mined', {
        token,
        rawBody: readFileSync(bodyFile, 'utf8'),
        headers,
      });
      expect(reply.status).toBe(201);

      // A thumbprint is base64url: one in 64 begins with '-', which only the `--key-id=ID` form (the
      // README's) passes; as a separate argument the parser takes it for an option.
      const dashed = cli([
        '--key',
        join(dir, 'keys', 'signing-key.pem'),
        '--key-id=-dash-first',
        '--path',
        '/x',
      ]);
      expect(dashed).toContain('keyid="-dash-first"');
      const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
      expect(readme).not.toMatch(/--key-id "/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a body that is not UTF-8 as malformed JSON, so a kept body always reproduces its digest', async () => {
    const reply = await fetch(`${ledger.baseUrl}/batches/mined`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"batchId":"'), Buffer.from([0xff]), Buffer.from('"}')]),
    });
    expect(reply.status).toBe(400);
    expect(await reply.json()).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('runs the README’s "Signing commands" block as written', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const block = /<!-- signing:start -->\s*```bash\n([\s\S]*?)```\s*<!-- signing:end -->/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-readme-sign-'));
    try {
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block ?? ''], {
        cwd: join(__dirname, '..'),
        env: {
          ...process.env,
          TRACELODE_URL: ledger.baseUrl,
          TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
          TMPDIR: dir,
        },
      });
      const lines = stdout.trim().split('\n');
      expect(JSON.parse(lines.at(-2) ?? '{}')).toEqual({
        batchId: expect.stringMatching(/^SG-\d+$/),
        position: expect.stringMatching(/^\d+$/),
      });
      expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ status: 401, code: 'SIGNATURE_REQUIRED' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with the usage on a bad option', () => {
    let status: number | undefined;
    let stderr = '';
    try {
      execFileSync(process.execPath, [CLI_MAIN, 'sign', '--path', '/x'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      status = (error as { status?: number }).status;
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain('--key FILE is required');
    expect(stderr).toContain('Usage:');
  });
});
