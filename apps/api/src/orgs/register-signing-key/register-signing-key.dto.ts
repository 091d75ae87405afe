import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, registerDecorator, type ValidationOptions } from 'class-validator';
import { IsSigningKeyId } from '../../common/validation';

const JWK_EXAMPLE = { kty: 'OKP', crv: 'Ed25519', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' };

/** A JWK object or a PEM text; whether it is really an Ed25519 public key is checked when it is imported. */
function IsPublicKeyInput(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPublicKeyInput',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be an Ed25519 public key: a JWK object {kty, crv, x} or an SPKI PEM text',
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'string' && value.length <= 1000) ||
          (typeof value === 'object' && value !== null && !Array.isArray(value)),
      },
    });
}

export class RegisterSigningKeyDto {
  @ApiPropertyOptional({
    example: 'mineco-2026',
    description: 'The keyid signatures will name; default: the key’s RFC 7638 JWK thumbprint',
  })
  @IsOptional()
  @IsSigningKeyId()
  keyId?: string;

  @ApiProperty({
    oneOf: [
      {
        type: 'object',
        description: 'JWK (RFC 8037)',
        properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' } },
        example: JWK_EXAMPLE,
      },
      { type: 'string', description: 'SPKI PEM ("-----BEGIN PUBLIC KEY-----…")' },
    ],
    description: 'The Ed25519 public key; never send the private key',
  })
  @IsPublicKeyInput()
  publicKey!: Record<string, unknown> | string;

  @ApiPropertyOptional({
    example: 'mineco-2025',
    description: 'Rotation: the active key this one replaces, revoked in the same append',
  })
  @IsOptional()
  @IsSigningKeyId()
  replaces?: string;
}

export class RegisterSigningKeyResponse {
  @ApiProperty() orgId!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ example: JWK_EXAMPLE, description: 'The key as stored: a JWK with kty, crv and x only' })
  publicKey!: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  @ApiPropertyOptional({ description: 'The key this one replaced (now revoked)' }) replaces?: string;
  @ApiProperty({ description: 'Log position of the command’s last event' }) position!: string;
}
