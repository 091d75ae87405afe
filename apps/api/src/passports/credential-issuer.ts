import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  type Credential,
  type CredentialIssuer as Issuer,
  didDocumentOf,
  type DidDocument,
  didWebOf,
  envelope,
  type EnvelopedCredential,
  signCredential,
  STATUS_LIST_SIZE,
  type StatusListEntry,
  statusListCredential,
} from '@tracelode/credentials';
import { LogNotary } from '@tracelode/log';
import {
  type BatchCustodyView,
  CERTIFICATES,
  type CertificateView,
  custodyOf,
  type ViewLookup,
} from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { filesOnDisk, type LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG } from '../ledger/ledger.tokens';

/** What a credential was built from, kept so its status bit can be worked out later (ADR 0032). */
interface IssuedCredential {
  readonly index: number;
  readonly kind: CredentialKind;
  readonly batchId: string;
  readonly issuedAt: string;
  /** Every timeline entry it was built from (the batch's and its ancestors'), with its corrections then. */
  readonly events: Readonly<Record<string, { readonly batchId: string; readonly corrections: number }>>;
  /** Certificates its conformity claims rested on, none revoked when it was issued. */
  readonly certificateIds: readonly string[];
  readonly revoked?: { readonly reason: string; readonly at: string };
}

export type CredentialKind = 'passport' | 'traceability-events';

const ISSUED = 'issued_credentials';
const BY_CONTENT = 'issued_credentials_by_content';
const COUNTER = 'issued_credentials_counter';

/** The one status list this ledger serves (a second would follow at index 131,072). */
export const STATUS_LIST_PATH = '/credentials/status/1';

/**
 * The ledger as a credential issuer: its did:web and DID document (the checkpoint key), signing (JOSE),
 * and the registry behind its Bitstring Status List. The registry is a file of its own beside the views
 * (`credentials.db`): which index each issued credential got cannot be rebuilt from the log, as a
 * credential is issued by a read.
 */
@Injectable()
export class CredentialIssuer implements OnApplicationShutdown {
  readonly did: string;
  readonly issuer: Issuer;
  readonly didDocument: DidDocument;
  private readonly registry: ReadModelStore;

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly notary: LogNotary,
    private readonly views: ReadModelStore,
  ) {
    this.did = didWebOf(config.publicUrl);
    this.issuer = {
      type: ['CredentialIssuer'],
      id: this.did,
      name: `Tracelode ledger at ${config.publicUrl}`,
    };
    this.didDocument = didDocumentOf(this.did, notary.signer.publicKey);
    // Beside the views, or in memory with them.
    const viewsFile = filesOnDisk(config).views;
    const path = viewsFile === undefined ? ':memory:' : join(dirname(viewsFile), 'credentials.db');
    this.registry = ReadModelStore.open(path);
  }

  onApplicationShutdown(): void {
    this.registry.close();
  }

  get publicUrl(): string {
    return this.config.publicUrl;
  }

  get statusListUrl(): string {
    return `${this.config.publicUrl}${STATUS_LIST_PATH}`;
  }

  /**
   * The status entry of a credential built from `chain` (the batch first) and `certificateIds`: the same
   * index as before when the same reader gets the same content and it was not revoked since, else a new one.
   */
  statusFor(
    kind: CredentialKind,
    chain: readonly BatchCustodyView[],
    certificateIds: readonly string[],
    content: unknown,
  ): StatusListEntry {
    const batchId = chain[0]!.batchId;
    const fingerprint = createHash('sha256').update(JSON.stringify(content)).digest('hex');
    const contentKey = `${kind}\u0000${batchId}\u0000${fingerprint}`;
    const known = this.registry.get<{ index: number }>(BY_CONTENT, contentKey);
    const reused = known && this.registry.get<IssuedCredential>(ISSUED, String(known.index));
    // A lot on hold gets its revoked index back rather than a new one per request: it could not hold anyway.
    const index =
      reused && (!this.revocationOf(reused, this.lookup) || custodyOf(batchId, this.lookup)?.held)
        ? reused.index
        : this.register(kind, batchId, contentKey, chain, certificateIds);
    return {
      id: `${this.statusListUrl}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: this.statusListUrl,
    };
  }

  /** The credential signed (VC-JOSE-COSE, compact JWS) and enveloped. */
  async envelope(credential: Credential): Promise<EnvelopedCredential> {
    return envelope(await signCredential(credential, this.notary.signer.credentialSigningKey));
  }

  /**
   * The status list credential as it stands now, signed: a credential's bit is set once a hold was
   * placed on its batch, a certificate it rested on was revoked, or an event it was built from was
   * corrected or voided — and stays set (revocation is final; a new credential is issued on request).
   */
  statusList(): Credential {
    const revoked: number[] = [];
    const rows = this.registry.all<IssuedCredential>(ISSUED);
    const newlyRevoked: IssuedCredential[] = [];
    for (const { view } of rows) {
      if (view.revoked) {
        revoked.push(view.index);
        continue;
      }
      const revocation = this.revocationOf(view, this.lookup);
      if (!revocation) continue;
      revoked.push(view.index);
      newlyRevoked.push({ ...view, revoked: { reason: revocation, at: new Date().toISOString() } });
    }
    if (newlyRevoked.length > 0) {
      this.registry.applyAndCheckpoint(0n, (tx) => {
        for (const row of newlyRevoked) tx.put(ISSUED, String(row.index), row, 0n);
      });
    }
    return statusListCredential(this.statusListUrl, this.issuer, revoked, new Date().toISOString());
  }

  /** Why an issued credential no longer holds (a short reason), or undefined while it does. */
  private revocationOf(issued: IssuedCredential, lookup: ViewLookup): string | undefined {
    const views = new Map<string, BatchCustodyView | undefined>();
    const custody = (batchId: string) => {
      if (!views.has(batchId)) views.set(batchId, custodyOf(batchId, lookup));
      return views.get(batchId);
    };
    const lot = custody(issued.batchId);
    if (
      lot?.held ||
      lot?.timeline.some((entry) => entry.type === 'BatchHeld' && !issued.events[entry.eventId])
    )
      return 'held';
    for (const id of issued.certificateIds) {
      if ((lookup(CERTIFICATES, id) as CertificateView | undefined)?.status === 'revoked')
        return `certificate ${id} revoked`;
    }
    for (const [eventId, built] of Object.entries(issued.events)) {
      const entry = custody(built.batchId)?.timeline.find((candidate) => candidate.eventId === eventId);
      if (!entry || entry.voided) return `event ${eventId} voided`;
      if ((entry.corrections?.length ?? 0) > built.corrections) return `event ${eventId} corrected`;
    }
    return undefined;
  }

  private register(
    kind: CredentialKind,
    batchId: string,
    contentKey: string,
    chain: readonly BatchCustodyView[],
    certificateIds: readonly string[],
  ): number {
    let index = 0;
    this.registry.applyAndCheckpoint(0n, (tx) => {
      index = tx.get<{ next: number }>(COUNTER, 'next')?.next ?? 0;
      if (index >= STATUS_LIST_SIZE) throw new Error('The status list is full');
      const events: Record<string, { batchId: string; corrections: number }> = {};
      for (const view of chain) {
        for (const entry of view.timeline) {
          if (!entry.voided)
            events[entry.eventId] = { batchId: view.batchId, corrections: entry.corrections?.length ?? 0 };
        }
      }
      const issued: IssuedCredential = {
        index,
        kind,
        batchId,
        issuedAt: new Date().toISOString(),
        events,
        certificateIds,
      };
      tx.put(ISSUED, String(index), issued, 0n);
      tx.put(BY_CONTENT, contentKey, { index }, 0n);
      tx.put(COUNTER, 'next', { next: index + 1 }, 0n);
    });
    return index;
  }

  private readonly lookup: ViewLookup = (collection, key) => this.views.get(collection, key);
}
