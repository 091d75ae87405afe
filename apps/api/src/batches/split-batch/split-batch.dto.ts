import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { IsLedgerId, IsMassKg, IsTimestampWithOffset } from '../../common/validation';

export class SplitOutputDto {
  @ApiProperty({ example: 'MW-CONC-001-A' })
  @IsLedgerId()
  batchId!: string;

  @ApiProperty({ example: 10000, description: 'Kilograms split off into this lot (at most 3 decimals)' })
  @IsMassKg()
  massKg!: number;
}

export class SplitBatchDto {
  @ApiProperty({ example: 'SPLIT-0001' })
  @IsLedgerId()
  splitId!: string;

  @ApiProperty({ type: [SplitOutputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SplitOutputDto)
  outputs!: SplitOutputDto[];

  @ApiProperty({ example: '2026-03-05T06:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}

export class SplitResponse {
  @ApiProperty() batchId!: string;
  @ApiProperty() splitId!: string;
  @ApiProperty({ type: [String] }) outputBatchIds!: string[];
  @ApiProperty() position!: string;
}
