import { ApiProperty } from '@nestjs/swagger';
import type { Grade } from '@tracelode/domain';
import { IsNumber, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsGrade, IsLedgerId, IsTimestampWithOffset } from '../../common/validation';

export class RecordAssayDto {
  @ApiProperty({ example: 'ALS-26-0412' })
  @IsLedgerId()
  assayId!: string;

  @ApiProperty({ example: 'ALS Perth' })
  @IsString()
  @Length(1, 200)
  lab!: string;

  @ApiProperty({ example: 'ICP-MS' })
  @IsString()
  @Length(1, 100)
  method!: string;

  @ApiProperty({
    example: { TREO: 41.2, Nd2O3: 8.9 },
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  @IsGrade()
  grade!: Grade;

  @ApiProperty({
    required: false,
    example: 3.1,
    description: 'Radioactivity in Bq/g (thorium and uranium series)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e9)
  radioactivityBqPerG?: number;

  @ApiProperty({ example: '2026-03-02T10:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}
