import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  activeApiKey,
  type Actor,
  type AdminTokenIssued,
  encodeEvent,
  LEDGER_ADMIN_STREAM,
  OPERATOR_ORG_ID,
  type OrganisationState,
  tenantRoles,
} from '@tracelode/domain';
import { type EventStore, newEventId, WrongExpectedRevisionError } from '@tracelode/event-store';
import { API_KEYS, type ApiKeyView, ORGANISATIONS, type OrganisationView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../common/sha256';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerStreams } from '../ledger/ledger-streams';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/ledger.tokens';

export const ADMIN_ACTOR: Actor = { orgId: OPERATOR_ORG_ID, keyId: 'admin', roles: ['admin'] };

/** `tl_<orgId>_<43 base64url characters>`: org ids never contain `_`, so the first two split it. */
const API_KEY = /^tl_([A-Za-z0-9][A-Za-z0-9.:~-]{0,127})_[A-Za-z0-9_-]{43}$/;

/**
 * A new API key: shown to its owner once; the ledger keeps only its SHA-256. The key names its
 * organisation, so it resolves from that organisation's stream alone, the moment it is registered.
 */
export function newApiKey(orgId: string): { keyId: string; apiKey: string; keySha256: string } {
  const keyId = randomUUID();
  const apiKey = `tl_${orgId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, apiKey, keySha256: sha256Hex(apiKey) };
}

/** An authenticated organisation, with the state of its stream the request was authenticated against. */
export interface Authenticated {
  readonly actor: Actor;
  /** The organisation's stream as just read (absent for the admin and for legacy keys). */
  readonly organisation?: OrganisationState;
}

/**
 * Resolves bearer tokens to actors: the admin token, or an organisation's API key, from the organisation's
 * own stream through the cache the command executor uses (so a key and its roles are current on every
 * request, and a new organisation's key works at once). Keys issued before keys named their organisation
 * (`tl_<secret>`) resolve through the views, as they always did.
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  private adminSha256 = '';
  private readonly legacyActors = new Map<string, Actor>();

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly streams: LedgerStreams,
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
    const { apiKey, keySha256 } = newApiKey('ledger');
    const issued: AdminTokenIssued = { type: 'AdminTokenIssued', data: { keyId: 'admin', keySha256 } };
    try {
      await this.store.append([
        {
          stream: LEDGER_ADMIN_STREAM,
          expectedRevision: 'no_stream',
          events: [encodeEvent(issued, { recordedAt: new Date().toISOString() }, newEventId())],
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

  /**
   * The actor of a token, or undefined for an unknown or revoked key. An organisation's keys are read from
   * its own stream (older keys) and its credentials stream (newer keys, and every revocation), both loaded
   * on each request, so a key revoked through any replica is refused on the next request here. An
   * organisation never acts as `admin`, even if an older ledger registered it with that role.
   */
  async resolve(token: string): Promise<Authenticated | undefined> {
    const hash = sha256Hex(token);
    if (timingSafeEqual(Buffer.from(hash), Buffer.from(this.adminSha256.padEnd(hash.length))))
      return { actor: ADMIN_ACTOR };
    const orgId = API_KEY.exec(token)?.[1];
    if (orgId === undefined) return this.legacy(hash);
    const { state: organisation } = await this.streams.load('organisations', orgId);
    if (!organisation.exists) return undefined;
    const { state: credentials } = await this.streams.load('credentials', orgId);
    const keyId = activeApiKey(organisation.apiKeys, credentials, hash);
    if (keyId === undefined) return undefined;
    return { actor: { orgId, keyId, roles: tenantRoles(organisation.roles) }, organisation };
  }

  /**
   * A key of the first format, from the views (they hold every key ever issued, by hash); whether it was
   * revoked since, from the organisation's credentials stream, on every request.
   */
  private async legacy(hash: string): Promise<Authenticated | undefined> {
    let actor = this.legacyActors.get(hash);
    if (!actor) {
      const key = this.views.get<ApiKeyView>(API_KEYS, hash);
      const organisation = key && this.views.get<OrganisationView>(ORGANISATIONS, key.orgId);
      if (!key || !organisation) return undefined;
      actor = { orgId: key.orgId, keyId: key.keyId, roles: tenantRoles(organisation.roles) };
      this.legacyActors.set(hash, actor);
    }
    const { state: credentials } = await this.streams.load('credentials', actor.orgId);
    if (credentials.revokedKeyIds.has(actor.keyId)) return undefined;
    return { actor };
  }
}
