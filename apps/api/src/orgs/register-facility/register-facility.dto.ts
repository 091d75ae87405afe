import { ApiProperty } from '@nestjs/swagger';
import { FACILITY_KINDS, type FacilityKind } from '@tracelode/domain';
import {
  IsIn,
  IsISO31661Alpha2,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { IsLedgerId } from '../../common/validation';

export class RegisterFacilityDto {
  @ApiProperty({ example: 'mt-weld' })
  @IsLedgerId()
  facilityId!: string;

  @ApiProperty({ enum: FACILITY_KINDS, example: 'mine' })
  @IsIn(FACILITY_KINDS)
  kind!: FacilityKind;

  @ApiProperty({ example: 'Mount Weld' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'AU', description: 'ISO 3166-1 alpha-2' })
  @IsISO31661Alpha2()
  country!: string;

  @ApiProperty({ required: false, example: -28.86 })
  @IsOptional()
  @IsLatitude()
  lat?: number;

  @ApiProperty({ required: false, example: 122.55 })
  @IsOptional()
  @IsLongitude()
  lon?: number;
  @ApiProperty({
    required: false,
    example: '0614141000012',
    description:
      'GS1 Global Location Number (13 digits, GS1 check digit; INVALID_GLN otherwise), held once across the ledger (GLN_TAKEN); given by the admin only (403 ROLE_REQUIRED otherwise)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  gln?: string;
}

export class RegisterFacilityResponse {
  @ApiProperty() orgId!: string;
  @ApiProperty() facilityId!: string;
  @ApiProperty() position!: string;
}
