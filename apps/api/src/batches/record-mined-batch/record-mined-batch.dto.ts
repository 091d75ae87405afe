import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min, ValidateNested, IsDefined } from 'class-validator';
import { MaterialDto } from '../../common/dto/material.dto';
import { IsLedgerId, IsMassKg, IsTimestampWithOffset } from '../../common/validation';

export class RecordMinedBatchDto {
  @ApiProperty({ example: 'MW-2026-0001' })
  @IsLedgerId()
  batchId!: string;

  @ApiProperty({ example: 'mt-weld', description: 'A mine of your organisation' })
  @IsLedgerId()
  facilityId!: string;

  @ApiProperty({ type: MaterialDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => MaterialDto)
  material!: MaterialDto;

  @ApiProperty({ example: 25000.5, description: 'Kilograms, at most 3 decimals' })
  @IsMassKg()
  massKg!: number;

  @ApiProperty({ required: false, example: 3200, description: 'kg CO2e of extraction, for the carbon view' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  extractionEmissionsKgCo2e?: number;

  @ApiProperty({ example: '2026-03-01T08:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}

export class BatchCommandResponse {
  @ApiProperty() batchId!: string;
  @ApiProperty({
    description: 'Log position of the command’s last event; pass it as ?minPosition= to read your write',
  })
  position!: string;
}
