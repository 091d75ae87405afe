import { ApiProperty } from '@nestjs/swagger';
import type { ProvenanceChild } from '@tracelode/projections';

/** OpenAPI shapes of the provenance view (the view itself is typed in libs/projections). */
export class ProvenanceParentDto {
  @ApiProperty({ example: 'MW-CONC-001' }) batchId!: string;
  @ApiProperty({ example: 6000, description: 'Kilograms of the parent this batch’s transformation consumed' })
  consumedKg!: number;
  @ApiProperty({ example: 'CL-2026-014' }) transformationId!: string;
}

export class ProvenanceChildDto {
  /** Always a batch id in the API; only an audit bundle that withholds a sibling shows it withheld (ADR 0022). */
  @ApiProperty({ example: 'NDPR-OX-001', type: String }) batchId!: ProvenanceChild['batchId'];
  @ApiProperty({ example: 'SX-2026-031' }) transformationId!: string;
}

export class OriginDto {
  @ApiProperty({ example: 'MW-CONC-001', description: 'A mined batch this batch descends from' })
  batchId!: string;
  @ApiProperty({ example: 'mt-weld' }) facilityId!: string;
  @ApiProperty({ example: 'mineco' }) orgId!: string;
  @ApiProperty({ example: 'AU', nullable: true, type: String, description: 'ISO 3166-1 alpha-2 of the mine' })
  country!: string | null;
  @ApiProperty({
    example: 0.4285714285714286,
    description: 'Share of this batch’s mass traced to that batch',
  })
  massFraction!: number;
}

export class ProvenanceDto {
  @ApiProperty() batchId!: string;
  @ApiProperty({ type: [ProvenanceParentDto] }) parents!: ProvenanceParentDto[];
  @ApiProperty({ type: [ProvenanceChildDto] }) children!: ProvenanceChildDto[];
  @ApiProperty({ example: 2, description: '0 for a mined batch; 1 + the deepest input for a produced one' })
  depth!: number;
  @ApiProperty({ type: [OriginDto] }) origins!: OriginDto[];
}

export class DescendantDto {
  @ApiProperty({ example: 'NDPR-METAL-001' }) batchId!: string;
  @ApiProperty({ example: 2, description: 'Transformations between the traced batch and this one' })
  depth!: number;
  @ApiProperty({ example: 'EL-2026-007', description: 'The transformation it was first reached through' })
  viaTransformationId!: string;
}

export class DescendantsDto {
  @ApiProperty() batchId!: string;
  @ApiProperty({ enum: ['descendants'] }) direction!: 'descendants';
  @ApiProperty({ type: [DescendantDto] }) descendants!: DescendantDto[];
}
