import { ApiProperty } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsString, Length, Matches } from 'class-validator';
import { HS_CODE, IsLedgerId, IsTimestampWithOffset } from '../../common/validation';

export class ExportBatchDto {
  @ApiProperty({ example: 'EXP-2026-0007' })
  @IsLedgerId()
  exportId!: string;

  @ApiProperty({ example: 'EXL-2026-0042' })
  @IsLedgerId()
  licenceId!: string;

  @ApiProperty({ example: 'JP', description: 'ISO 3166-1 alpha-2' })
  @IsISO31661Alpha2()
  destinationCountry!: string;

  @ApiProperty({ example: 'Sojitz Corporation' })
  @IsString()
  @Length(1, 200)
  consignee!: string;

  @ApiProperty({ example: 'Shin-Etsu Magnetics' })
  @IsString()
  @Length(1, 200)
  endUser!: string;

  @ApiProperty({ example: '2846.90' })
  @Matches(HS_CODE, { message: '$property must be an HS code such as 2846.90' })
  hsCode!: string;

  @ApiProperty({ example: 'K1-2026-118877' })
  @IsString()
  @Length(1, 100)
  customsDeclarationNo!: string;

  @ApiProperty({ example: 'MYKUA' })
  @IsString()
  @Length(1, 100)
  port!: string;

  @ApiProperty({ example: '2026-04-10T10:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}

export class ExportResponse {
  @ApiProperty() batchId!: string;
  @ApiProperty() exportId!: string;
  @ApiProperty() licenceId!: string;
  @ApiProperty() position!: string;
}
