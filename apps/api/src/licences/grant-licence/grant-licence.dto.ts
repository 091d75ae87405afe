import { ApiProperty } from '@nestjs/swagger';
import {
  LICENCE_TYPES,
  type LicenceType,
  MATERIAL_FORMS,
  type MaterialForm,
  RARE_EARTH_ELEMENTS,
  type RareEarthElement,
} from '@tracelode/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { HS_CODE, IsLedgerId, IsMassKg, IsTimestampWithOffset } from '../../common/validation';

export class LicenceItemDto {
  @ApiProperty({ enum: MATERIAL_FORMS, example: 'oxide' })
  @IsIn(MATERIAL_FORMS)
  form!: MaterialForm;

  @ApiProperty({ enum: RARE_EARTH_ELEMENTS, isArray: true, example: ['Nd', 'Pr'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @ArrayMaxSize(RARE_EARTH_ELEMENTS.length)
  @IsIn(RARE_EARTH_ELEMENTS, { each: true })
  elements!: RareEarthElement[];

  @ApiProperty({ required: false, example: '2846.90' })
  @IsOptional()
  @Matches(HS_CODE, { message: '$property must be an HS code such as 2846.90' })
  hsCode?: string;
}

/** Terms shared by a grant and an amendment. */
export class LicenceTermsDto {
  @ApiProperty({ type: [LicenceItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => LicenceItemDto)
  items!: LicenceItemDto[];

  @ApiProperty({ example: ['JP', 'DE'], description: 'ISO 3166-1 alpha-2 destination countries' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @ArrayUnique()
  @IsISO31661Alpha2({ each: true })
  destinations!: string[];

  @ApiProperty({ required: false, example: ['Shin-Etsu Magnetics'], description: 'Named end users' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  endUsers?: string[];

  @ApiProperty({ example: 50000, description: 'Quantity cap in kilograms (at most 3 decimals)' })
  @IsMassKg()
  quantityKg!: number;

  @ApiProperty({ example: '2026-01-01T00:00:00Z' })
  @IsTimestampWithOffset()
  validFrom!: string;

  @ApiProperty({ example: '2026-12-31T23:59:59Z' })
  @IsTimestampWithOffset()
  validUntil!: string;
}

export class GrantLicenceDto extends LicenceTermsDto {
  @ApiProperty({ example: 'EXL-2026-0042' })
  @IsLedgerId()
  licenceId!: string;

  @ApiProperty({ example: 'lynas-my' })
  @IsLedgerId()
  holderOrgId!: string;

  @ApiProperty({ enum: LICENCE_TYPES, example: 'general' })
  @IsIn(LICENCE_TYPES)
  type!: LicenceType;

  @ApiProperty({ required: false, description: 'When it was granted (default: now)' })
  @IsOptional()
  @IsTimestampWithOffset()
  occurredAt?: string;
}

export class LicenceResponse {
  @ApiProperty() licenceId!: string;
  @ApiProperty({ enum: ['active', 'suspended', 'revoked'], required: false }) status?: string;
  @ApiProperty() position!: string;
}
