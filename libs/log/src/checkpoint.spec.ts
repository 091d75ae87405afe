import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointSigner,
  importLedgerKey,
  keyIdOf,
  publicKeyDocument,
  verifyCheckpoint,
} from './checkpoint';

const body = { treeSize: 42, rootHash: 'ab'.repeat(32), timestamp: '2026-11-28T12:00:00.000Z' };

describe('signed checkpoints', () => {
  const signer = CheckpointSigner.ephemeral();

  it('verifies with the signer’s public key, in every published form', () => {
    const checkpoint = signer.sign(body);
    const document = publicKeyDocument(signer.publicKey);
    for (const key of [document.pem, document.jwk, document, JSON.stringify(document)]) {
      expect(verifyCheckpoint(checkpoint, importLedgerKey(key))).toBe(true);
    }
    expect(checkpoint.keyId).toBe(document.keyId);
  });

  it.each([
    ['tree size', { treeSize: 43 }],
    ['root hash', { rootHash: 'ac' + 'ab'.repeat(31) }],
    ['timestamp', { timestamp: '2026-11-28T12:00:00.001Z' }],
    ['key id', { keyId: '00'.repeat(32) }],
  ])('fails when the %s is altered', (_field, change) => {
    expect(verifyCheckpoint({ ...signer.sign(body), ...change }, signer.publicKey)).toBe(false);
  });

  it('fails with another key, and on a garbled signature', () => {
    const checkpoint = signer.sign(body);
    expect(verifyCheckpoint(checkpoint, CheckpointSigner.ephemeral().publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, signature: 'AAAA' }, signer.publicKey)).toBe(false);
  });

  it('refuses a key that is not Ed25519', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => importLedgerKey(publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow(
      /Ed25519/,
    );
  });

  it('generates its key on first use, stores it for its owner only, and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-key-'));
    try {
      const path = join(dir, 'keys', 'ledger.pem');
      const first = CheckpointSigner.fromFile(path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const again = CheckpointSigner.fromFile(path);
      expect(again.keyId).toBe(first.keyId);
      expect(keyIdOf(again.publicKey)).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
