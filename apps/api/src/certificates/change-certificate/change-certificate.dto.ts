import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsTimestampWithOffset } from '../../common/validation';

export class CertificateChangeDto {
  @ApiProperty({ example: 'Corrective action plan overdue' })
  @IsString()
  @Length(1, 1000)
  reason!: string;

  @ApiProperty({ example: '2026-03-10T00:00:00Z' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}
