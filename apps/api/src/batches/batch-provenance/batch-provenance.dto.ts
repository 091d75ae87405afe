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

export class GraphSiteDto {
  @ApiProperty({
    example: 'mineco',
    nullable: true,
    type: String,
    description: 'Null where the reader may not know who split or blended the lot',
  })
  orgId!: string | null;
  @ApiProperty({ example: 'mt-weld', nullable: true, type: String }) facilityId!: string | null;
  @ApiProperty({ example: 'AU', nullable: true, type: String }) country!: string | null;
  @ApiProperty({ example: 'BatchMined', description: 'The event that made the lot' }) step!: string;
}

export class NodeGapDto {
  @ApiProperty({ example: 'BatchShipped' }) step!: string;
  @ApiProperty({ example: 'NO_CERTIFICATE' }) reason!: string;
}

export class NodeCoverageDto {
  @ApiProperty({ example: 'IRMA' }) scheme!: string;
  @ApiProperty({ description: 'Every step of this batch in the lot’s chain was covered by the scheme' })
  covered!: boolean;
  @ApiProperty({ type: [NodeGapDto] }) gaps!: NodeGapDto[];
}

export class ProvenanceGraphNodeDto {
  @ApiProperty({ example: 'MW-CONC-001' }) batchId!: string;
  @ApiProperty({ example: 0, description: '0 for a mined batch; 1 + the deepest input otherwise' })
  depth!: number;
  @ApiProperty({ example: 3, description: 'Transformations between the lot and this batch (0: the lot)' })
  distance!: number;
  @ApiProperty({ example: 'concentrate', nullable: true, type: String }) form!: string | null;
  @ApiProperty({ type: [String], example: ['Nd', 'Pr'] }) elements!: string[];
  @ApiProperty({ example: 6000, nullable: true, type: Number }) massKg!: number | null;
  @ApiProperty({ type: GraphSiteDto, nullable: true, description: 'Where it was mined or produced' })
  site!: GraphSiteDto | null;
  @ApiProperty({
    type: [NodeCoverageDto],
    nullable: true,
    description: 'Each scheme of the lot’s certification (ancestors); null in a descendants graph',
  })
  certification!: NodeCoverageDto[] | null;
}

export class ProvenanceGraphEdgeDto {
  @ApiProperty({ example: 'MW-CONC-001', description: 'The input' }) from!: string;
  @ApiProperty({ example: 'MY-REO-001', description: 'The batch made from it' }) to!: string;
  @ApiProperty({ example: 'CL-2026-014' }) transformationId!: string;
  @ApiProperty({ example: 6000 }) consumedKg!: number;
  @ApiProperty({ example: 0.43, description: 'Share of all that `to` was made from' }) share!: number;
}

export class ProvenanceGraphDto {
  @ApiProperty() batchId!: string;
  @ApiProperty({ enum: ['ancestors', 'descendants'] }) direction!: 'ancestors' | 'descendants';
  @ApiProperty({ type: [ProvenanceGraphNodeDto] }) nodes!: ProvenanceGraphNodeDto[];
  @ApiProperty({ type: [ProvenanceGraphEdgeDto] }) edges!: ProvenanceGraphEdgeDto[];
}
