import { ApiProperty } from '@nestjs/swagger';
import { PROCESSES } from '@tracelode/domain';

/** OpenAPI shapes of the carbon view (the view itself is typed in libs/projections). */
export class CarbonContributionDto {
  @ApiProperty({ nullable: true, type: String, example: 'SX-2026-031', description: 'null for extraction' })
  transformationId!: string | null;
  @ApiProperty({ enum: ['extraction', ...PROCESSES], example: 'solvent_extraction' })
  process!: string;
  @ApiProperty({ example: 'kuantan' }) facilityId!: string;
  @ApiProperty({ example: 4800, description: 'kg CO2e of that step carried by this batch' }) kgCo2e!: number;
}

export class CarbonDto {
  @ApiProperty() batchId!: string;
  @ApiProperty({ example: 8880, description: 'kg CO2e embodied in the batch as mined or produced' })
  embodiedKgCo2e!: number;
  @ApiProperty({ example: 5.92 }) intensityKgCo2ePerKg!: number;
  @ApiProperty({
    example: 0.8571428571428571,
    description: 'Mass fraction of the batch’s origins whose mined batch reported its extraction emissions',
  })
  primaryDataShare!: number;
  @ApiProperty({ type: [CarbonContributionDto], description: 'Sums to embodiedKgCo2e' })
  breakdown!: CarbonContributionDto[];
}
