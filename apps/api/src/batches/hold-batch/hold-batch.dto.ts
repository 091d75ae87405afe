import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsTimestampWithOffset } from '../../common/validation';

export class HoldDto {
  @ApiProperty({ example: 'Suspected undeclared origin; pending customs inquiry 2026/118' })
  @IsString()
  @Length(1, 1000)
  reason!: string;

  @ApiProperty({ example: '2026-03-06T09:00:00Z' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}

export class HoldResponse {
  @ApiProperty() batchId!: string;
  @ApiProperty() held!: boolean;
  @ApiProperty() position!: string;
}
