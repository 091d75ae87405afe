import { ApiProperty } from '@nestjs/swagger';
import { DISCLOSURE_SCOPES, type DisclosureScope } from '@tracelode/domain';
import { IsIn, IsOptional } from 'class-validator';
import { IsLedgerId, IsTimestampWithOffset } from '../../common/validation';

export class DiscloseBatchDto {
  @ApiProperty({ example: 'DSC-0001' })
  @IsLedgerId()
  disclosureId!: string;

  @ApiProperty({ example: 'irma-audit', description: 'The organisation it is disclosed to' })
  @IsLedgerId()
  toOrgId!: string;

  @ApiProperty({
    enum: DISCLOSURE_SCOPES,
    description: '`segment`: the events of your custody of it; `history`: everything you may read of it',
  })
  @IsIn(DISCLOSURE_SCOPES)
  scope!: DisclosureScope;

  @ApiProperty({
    required: false,
    example: '2027-01-01T00:00:00Z',
    description: 'When it ends (else: revoked)',
  })
  @IsOptional()
  @IsTimestampWithOffset()
  until?: string;
}

export class DisclosureResponse {
  @ApiProperty() batchId!: string;
  @ApiProperty() disclosureId!: string;
  @ApiProperty() position!: string;
}
