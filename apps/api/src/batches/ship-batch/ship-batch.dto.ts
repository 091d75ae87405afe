import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsLedgerId, IsMassKg, IsTimestampWithOffset } from '../../common/validation';

export class TransportDocumentDto {
  @ApiProperty({ example: 'bill_of_lading' })
  @IsString()
  @Length(1, 50)
  type!: string;

  @ApiProperty({ example: 'MAEU-240311-77' })
  @IsString()
  @Length(1, 100)
  number!: string;

  @ApiProperty({ required: false, description: 'SHA-256 of the document file, hex' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: '$property must be 64 lowercase hex characters' })
  sha256?: string;
}

export class ShipBatchDto {
  @ApiProperty({ example: 'SHP-0001' })
  @IsLedgerId()
  shipmentId!: string;

  @ApiProperty({ example: 'lynas-my' })
  @IsLedgerId()
  toOrgId!: string;

  @ApiProperty({ example: 'kuantan' })
  @IsLedgerId()
  toFacilityId!: string;

  @ApiProperty({ example: '2026-03-05T06:00:00+08:00' })
  @IsTimestampWithOffset()
  occurredAt!: string;

  @ApiProperty({ type: [TransportDocumentDto], required: false })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => TransportDocumentDto)
  documents?: TransportDocumentDto[];

  @ApiProperty({
    required: false,
    example: 3000,
    description:
      'Kilograms to ship (default: the whole remaining lot); less than that splits it off into shippedBatchId',
  })
  @IsOptional()
  @IsMassKg()
  massKg?: number;

  @ApiProperty({
    required: false,
    example: 'MW-CONC-001-P1',
    description: 'A partial shipment: the new lot the quantity is split off into, and which is shipped',
  })
  @IsOptional()
  @IsLedgerId()
  shippedBatchId?: string;
}

export class ShipmentResponse {
  @ApiProperty() batchId!: string;
  @ApiProperty() shipmentId!: string;
  @ApiProperty() position!: string;
}

export class ShipBatchResponse extends ShipmentResponse {
  @ApiProperty({ description: 'The lot shipped: the batch itself, or the lot a partial shipment split off' })
  shippedBatchId!: string;
}
