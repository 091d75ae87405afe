import { ApiProperty } from '@nestjs/swagger';
import { ORGANISATION_ROLES, type OrganisationRole } from '@tracelode/domain';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { IsLedgerId } from '../../common/validation';

export class RegisterOrganisationDto {
  @ApiProperty({ example: 'lynas-au' })
  @IsLedgerId()
  orgId!: string;

  @ApiProperty({ example: 'Lynas Rare Earths' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'AU', description: 'ISO 3166-1 alpha-2' })
  @IsISO31661Alpha2()
  country!: string;

  @ApiProperty({
    enum: ORGANISATION_ROLES,
    isArray: true,
    example: ['producer'],
    description: '`admin` is not among them: it is the ledger operator’s (the admin token’s) alone',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ORGANISATION_ROLES.length)
  @IsIn(ORGANISATION_ROLES, { each: true })
  roles!: OrganisationRole[];
  @ApiProperty({
    required: false,
    example: '0614141000012',
    description:
      'GS1 Global Location Number (13 digits, GS1 check digit; INVALID_GLN otherwise), held once across the ledger (GLN_TAKEN)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  gln?: string;
}

export class RegisterOrganisationResponse {
  @ApiProperty() orgId!: string;
  @ApiProperty({ description: 'Identifies the key in event envelopes; not a secret' }) keyId!: string;
  @ApiProperty({
    description:
      'The organisation’s API key, shown only in this first response (a retry with the same Idempotency-Key omits it)',
    required: false,
  })
  apiKey?: string;
  @ApiProperty({ description: 'Log position of the command’s last event' }) position!: string;
}
