import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideOrganisation,
  evolveOrganisation,
  initialOrganisationState,
  invalid,
  type SigningPublicKey,
  toOrgStreamId,
} from '@tracelode/domain';
import { jwkThumbprint, SigningKeyError, toPublicJwk } from '@tracelode/request-signatures';
import { CommandExecutor } from '../../ledger/command-executor';
import { RegisterSigningKeyCommand } from './register-signing-key.command';
import type { RegisterSigningKeyDto, RegisterSigningKeyResponse } from './register-signing-key.dto';

@CommandHandler(RegisterSigningKeyCommand)
export class RegisterSigningKeyHandler implements ICommandHandler<RegisterSigningKeyCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ orgId, payload, meta }: RegisterSigningKeyCommand): Promise<RegisterSigningKeyResponse> {
    const publicKey = toStoredPublicKey(payload.publicKey);
    const keyId = payload.keyId ?? jwkThumbprint(publicKey);
    const { replaces } = payload;
    return this.executor.execute(meta, async (session) => {
      const stream = toOrgStreamId(orgId);
      const state = await session.load(stream, evolveOrganisation, initialOrganisationState());
      const data = {
        orgId,
        keyId,
        publicKey,
        registeredAt: meta.recordedAt,
        ...(replaces !== undefined ? { replaces } : {}),
      };
      session.emit(stream, decideOrganisation({ type: 'RegisterSigningKey', data }, state, meta.actor));
      return { orgId, keyId, publicKey, ...(replaces !== undefined ? { replaces } : {}) };
    });
  }
}

/** A JWK or SPKI PEM as the stored JWK; a private key is refused rather than quietly reduced to its public half. */
function toStoredPublicKey(key: RegisterSigningKeyDto['publicKey']): SigningPublicKey {
  const refuse = (why: string) =>
    invalid('SIGNING_KEY_INVALID', `publicKey must be an Ed25519 public key (JWK or SPKI PEM): ${why}`);
  if (typeof key === 'string' ? /PRIVATE KEY/.test(key) : 'd' in key)
    throw refuse('that is a private key; keep it secret and send only the public key');
  if (typeof key !== 'string' && (key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.x !== 'string'))
    throw refuse('a JWK needs kty "OKP", crv "Ed25519" and x');
  try {
    return toPublicJwk(typeof key === 'string' ? key : { kty: 'OKP', crv: 'Ed25519', x: key.x as string });
  } catch (error) {
    if (error instanceof SigningKeyError) throw refuse(error.message);
    throw error;
  }
}
