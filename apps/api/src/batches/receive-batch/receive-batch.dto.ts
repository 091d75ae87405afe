import { ApiProperty } from '@nestjs/swagger';
import { IsLedgerId, IsMassKg, IsTimestampWithOffset } from '../../common/validation';

export class ReceiveBatchDto {
  @ApiProperty({ example: 'SHP-0001' })
  @IsLedgerId()
  shipmentId!: string;

  @ApiProperty({
    example: 24990.25,
    description: 'Kilograms received, at most 3 decimals; a shortfall is recorded',
  })
  @IsMassKg()
  receivedMassKg!: number;

  @ApiProperty({ example: '2026-03-19T14:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}
