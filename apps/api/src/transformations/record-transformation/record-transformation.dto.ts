import { ApiProperty } from '@nestjs/swagger';
import { type Grade, PROCESSES, type Process } from '@tracelode/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsGrade, IsLedgerId, IsMassKg, IsNumberMap, IsTimestampWithOffset } from '../../common/validation';
import { MaterialDto } from '../../common/dto/material.dto';

export class TransformationInputDto {
  @ApiProperty({ example: 'MW-CONC-001' })
  @IsLedgerId()
  batchId!: string;

  @ApiProperty({ example: 20000, description: 'Kilograms consumed from the input (at most 3 decimals)' })
  @IsMassKg()
  consumedKg!: number;
}

export class TransformationOutputDto {
  @ApiProperty({ example: 'NDPR-OX-001' })
  @IsLedgerId()
  batchId!: string;

  @ApiProperty({ type: MaterialDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => MaterialDto)
  material!: MaterialDto;

  @ApiProperty({ example: 1450.5 })
  @IsMassKg()
  massKg!: number;

  @ApiProperty({ required: false, type: Object, example: { NdPr2O3: 99.5 } })
  @IsOptional()
  @IsGrade()
  grade?: Grade;
}

export class ResidueDto {
  @ApiProperty({ example: 'tailings' })
  @IsString()
  @Length(1, 100)
  kind!: string;

  @ApiProperty({ example: 120.25 })
  @IsMassKg()
  massKg!: number;
}

export class AllocationDto {
  @ApiProperty({ enum: ['mass', 'economic'], example: 'economic' })
  @IsIn(['mass', 'economic'])
  method!: 'mass' | 'economic';

  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: { type: 'number' },
    example: { 'NDPR-OX-001': 0.85, 'LACE-CARB-001': 0.15 },
    description: 'Economic allocation: one key per output batch id, decimals summing to exactly 1',
  })
  @IsOptional()
  @IsNumberMap()
  keys?: Record<string, number>;
}

export class RecordTransformationDto {
  @ApiProperty({ example: 'SX-2026-031' })
  @IsLedgerId()
  transformationId!: string;

  @ApiProperty({ example: 'gebeng', description: 'Your facility where every input is and the process ran' })
  @IsLedgerId()
  facilityId!: string;

  @ApiProperty({ enum: PROCESSES, example: 'solvent_extraction' })
  @IsIn(PROCESSES)
  process!: Process;

  @ApiProperty({ example: '2026-04-02T10:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;

  @ApiProperty({ type: [TransformationInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TransformationInputDto)
  inputs!: TransformationInputDto[];

  @ApiProperty({ type: [TransformationOutputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TransformationOutputDto)
  outputs!: TransformationOutputDto[];

  @ApiProperty({ type: [ResidueDto], required: false })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ResidueDto)
  residues?: ResidueDto[];

  @ApiProperty({
    example: 5200.5,
    description: 'kg CO2e emitted by the process itself (shared among outputs)',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  processEmissionsKgCo2e!: number;

  @ApiProperty({ type: AllocationDto, required: false, description: 'Default: by mass' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AllocationDto)
  allocation?: AllocationDto;
}

export class TransformationResponse {
  @ApiProperty() transformationId!: string;
  @ApiProperty({ type: [String] }) outputBatchIds!: string[];
  @ApiProperty() position!: string;
}
