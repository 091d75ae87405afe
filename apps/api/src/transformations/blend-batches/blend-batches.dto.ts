import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, ValidateNested } from 'class-validator';
import { MaterialDto } from '../../common/dto/material.dto';
import { IsLedgerId, IsMassKg, IsTimestampWithOffset } from '../../common/validation';

export class BlendInputDto {
  @ApiProperty({ example: 'MW-CONC-001-C' })
  @IsLedgerId()
  batchId!: string;

  @ApiProperty({ example: 7000, description: 'Kilograms of the lot blended in (at most 3 decimals)' })
  @IsMassKg()
  consumedKg!: number;
}

export class BlendOutputDto {
  @ApiProperty({ example: 'BLEND-001' })
  @IsLedgerId()
  batchId!: string;

  @ApiProperty({ type: MaterialDto, description: 'The blend’s material: the same form as every input' })
  @IsDefined()
  @ValidateNested()
  @Type(() => MaterialDto)
  material!: MaterialDto;
}

export class BlendBatchesDto {
  @ApiProperty({ example: 'BLEND-2026-001' })
  @IsLedgerId()
  blendId!: string;

  @ApiProperty({ example: 'kuantan', description: 'Your facility where every input is' })
  @IsLedgerId()
  facilityId!: string;

  @ApiProperty({ type: [BlendInputDto] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => BlendInputDto)
  inputs!: BlendInputDto[];

  @ApiProperty({ type: BlendOutputDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => BlendOutputDto)
  output!: BlendOutputDto;

  @ApiProperty({ example: '2026-04-02T10:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}

export class BlendResponse {
  @ApiProperty() blendId!: string;
  @ApiProperty() outputBatchId!: string;
  @ApiProperty({ description: 'The blend’s mass: Σ consumed' }) massKg!: number;
  @ApiProperty() position!: string;
}
