import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { refuse, registerSigningKey, type SigningPublicKey } from '@tracelode/domain';
import { jwkThumbprint, SigningKeyError, toPublicJwk } from '@tracelode/request-signatures';
import { LedgerCommand } from '../../ledger/command-executor';
import { RegisterSigningKeyDto, RegisterSigningKeyResponse } from './register-signing-key.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId/keys')
export class RegisterSigningKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Register (or, with `replaces`, rotate to) an Ed25519 key your organisation signs its commands with',
    description:
      'From the first key on, every command of the organisation must be signed (RFC 9421) by an active key, ' +
      'this one included. With `replaces`, the old key is revoked in the same append.',
  })
  @ApiCreatedResponse({ type: RegisterSigningKeyResponse })
  register(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Body() body: RegisterSigningKeyDto,
    @CommandContext('RegisterSigningKey') meta: CommandMeta,
  ): Promise<RegisterSigningKeyResponse> {
    const publicKey = toStoredPublicKey(body.publicKey);
    const keyId = body.keyId ?? jwkThumbprint(publicKey);
    const { replaces } = body;
    const also = replaces !== undefined ? { replaces } : {};
    const data = { orgId, keyId, publicKey, registeredAt: meta.recordedAt, ...also };
    return this.commandBus.execute(
      new LedgerCommand(registerSigningKey, { type: 'RegisterSigningKey', data }, meta, {
        orgId,
        keyId,
        publicKey,
        ...also,
      }),
    );
  }
}

/** A JWK or SPKI PEM as the stored JWK; a private key is refused rather than quietly reduced to its public half. */
function toStoredPublicKey(key: RegisterSigningKeyDto['publicKey']): SigningPublicKey {
  const invalidKey = (why: string) =>
    refuse('SIGNING_KEY_INVALID', `publicKey must be an Ed25519 public key (JWK or SPKI PEM): ${why}`);
  if (typeof key === 'string' ? /PRIVATE KEY/.test(key) : 'd' in key)
    throw invalidKey('that is a private key; keep it secret and send only the public key');
  if (typeof key !== 'string' && (key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.x !== 'string'))
    throw invalidKey('a JWK needs kty "OKP", crv "Ed25519" and x');
  try {
    return toPublicJwk(typeof key === 'string' ? key : { kty: 'OKP', crv: 'Ed25519', x: key.x as string });
  } catch (error) {
    if (error instanceof SigningKeyError) throw invalidKey(error.message);
    throw error;
  }
}
