import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsString, Length, ValidateNested } from 'class-validator';
import { IsTimestampWithOffset } from '../../common/validation';
import { LicenceTermsDto } from '../grant-licence/grant-licence.dto';

export class LicenceChangeDto {
  @ApiProperty({ example: 'End user added to the sanctions list' })
  @IsString()
  @Length(1, 1000)
  reason!: string;

  @ApiProperty({ example: '2026-06-01T09:00:00Z' })
  @IsTimestampWithOffset()
  occurredAt!: string;
}

export class LicenceTermChangesDto extends PartialType(LicenceTermsDto) {}

export class AmendLicenceDto extends LicenceChangeDto {
  @ApiProperty({ type: LicenceTermChangesDto, description: 'Only the terms that change' })
  @IsDefined()
  @ValidateNested()
  @Type(() => LicenceTermChangesDto)
  changes!: LicenceTermChangesDto;
}
