import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of the licence-usage view (the view itself is typed in libs/projections). */
export class LicenceExportDto {
  @ApiProperty() exportId!: string;
  @ApiProperty() batchId!: string;
  @ApiProperty() massKg!: number;
  @ApiProperty() destinationCountry!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() position!: string;
}

export class LicenceHistoryDto {
  @ApiProperty({ example: 'LicenceSuspended' }) type!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty() authorityOrgId!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) changes!: Record<
    string,
    unknown
  > | null;
  @ApiProperty() position!: string;
}

export class LicenceViewDto {
  @ApiProperty() licenceId!: string;
  @ApiProperty() holderOrgId!: string;
  @ApiProperty() authorityOrgId!: string;
  @ApiProperty({ enum: ['single', 'general'] }) type!: string;
  @ApiProperty({ enum: ['active', 'suspended', 'revoked'] }) status!: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) items!: Record<
    string,
    unknown
  >[];
  @ApiProperty({ type: [String] }) destinations!: string[];
  @ApiProperty({ type: [String] }) endUsers!: string[];
  @ApiProperty() validFrom!: string;
  @ApiProperty() validUntil!: string;
  @ApiProperty() quantityKg!: number;
  @ApiProperty() drawnKg!: number;
  @ApiProperty() remainingKg!: number;
  @ApiProperty({ type: [LicenceExportDto] }) exports!: LicenceExportDto[];
  @ApiProperty({ type: [LicenceHistoryDto] }) history!: LicenceHistoryDto[];
  @ApiProperty() position!: string;
}
