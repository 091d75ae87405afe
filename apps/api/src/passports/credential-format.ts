import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { apiProblem } from '../common/problem-details';

/** `?format=json`: the unsecured credential, for reading; by default the enveloped, signed one. */
export type CredentialFormat = 'enveloped' | 'json';

export function credentialFormatOf(format: string | undefined): CredentialFormat {
  if (format === undefined || format === '' || format === 'vc-ld+jwt') return 'enveloped';
  if (format === 'json') return 'json';
  throw apiProblem('INVALID_CREDENTIAL_FORMAT', `format must be json or vc-ld+jwt, got "${format}"`);
}

export const ApiCredentialFormat = () =>
  applyDecorators(
    ApiQuery({
      name: 'format',
      required: false,
      enum: ['vc-ld+jwt', 'json'],
      description:
        'vc-ld+jwt (default): {"type":"EnvelopedVerifiableCredential","id":"data:application/vc-ld+jwt,<JWS>"}; json: the unsecured credential, for reading',
    }),
  );
