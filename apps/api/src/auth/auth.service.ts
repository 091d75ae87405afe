import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type Actor, type AdminTokenIssued, LEDGER_ADMIN_STREAM } from '@tracelode/domain';
import { type EventStore, WrongExpectedRevisionError } from '@tracelode/event-store';
import { API_KEYS, type ApiKeyView, ORGANISATIONS, type OrganisationView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../common/sha256';
import type { LedgerConfig } from '../config/ledger-config';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/ledger.tokens';

export const ADMIN_ACTOR: Actor = { orgId: 'ledger', keyId: 'admin', roles: ['admin'] };

/** A new API key: shown to its owner once; the ledger keeps only its SHA-256. */
export function newApiKey(): { keyId: string; apiKey: string; keySha256: string } {
  const keyId = randomUUID();
  const apiKey = `tl_${randomBytes(32).toString('base64url')}`;
  return { keyId, apiKey, keySha256: sha256Hex(apiKey) };
}

/** Resolves bearer tokens to actors: the admin token, or an organisation's API key (by hash). */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  private adminSha256 = '';
  // Keys cannot yet be revoked and roles cannot change, so a resolved key stays valid for the process.
  private readonly actors = new Map<string, Actor>();

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly views: ReadModelStore,
  ) {}

  async onModuleInit(): Promise<void> {
    this.adminSha256 = this.config.adminToken
      ? sha256Hex(this.config.adminToken)
      : await this.storedAdminToken();
  }

  /** The admin token's hash from the log; on the first start, a new token is issued and printed once. */
  private async storedAdminToken(): Promise<string> {
    for await (const stored of this.store.readStream(LEDGER_ADMIN_STREAM)) {
      if (stored.type === 'AdminTokenIssued') return (stored.data as AdminTokenIssued['data']).keySha256;
    }
    const { apiKey, keySha256 } = newApiKey();
    const issued: AdminTokenIssued = { type: 'AdminTokenIssued', data: { keyId: 'admin', keySha256 } };
    try {
      await this.store.append([
        {
          stream: LEDGER_ADMIN_STREAM,
          expectedRevision: 'no_stream',
          events: [
            {
              eventId: randomUUID(),
              ...issued,
              metadata: { recordedAt: new Date().toISOString(), schemaVersion: 1 },
            },
          ],
        },
      ]);
    } catch (error) {
      // Another process on the same store issued it first: use that one.
      if (error instanceof WrongExpectedRevisionError) return this.storedAdminToken();
      throw error;
    }
    this.logger.warn(
      `No TRACELODE_ADMIN_TOKEN set: generated an admin token. It is shown only this once and stored hashed:\n\n    ${apiKey}\n`,
    );
    return keySha256;
  }

  resolve(token: string): Actor | undefined {
    const hash = sha256Hex(token);
    if (timingSafeEqual(Buffer.from(hash), Buffer.from(this.adminSha256.padEnd(hash.length))))
      return ADMIN_ACTOR;
    const cached = this.actors.get(hash);
    if (cached) return cached;
    const key = this.views.get<ApiKeyView>(API_KEYS, hash);
    const organisation = key && this.views.get<OrganisationView>(ORGANISATIONS, key.orgId);
    if (!key || !organisation) return undefined;
    const actor: Actor = { orgId: key.orgId, keyId: key.keyId, roles: organisation.roles };
    this.actors.set(hash, actor);
    return actor;
  }
}
