import { ApiProperty } from '@nestjs/swagger';
import { CERTIFICATE_SUBJECT_TYPES, type CertificateSubjectType } from '@tracelode/domain';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsLedgerId, IsTimestampWithOffset } from '../../common/validation';

export class CertificateSubjectDto {
  @ApiProperty({ enum: CERTIFICATE_SUBJECT_TYPES, example: 'facility' })
  @IsIn(CERTIFICATE_SUBJECT_TYPES)
  type!: CertificateSubjectType;

  @ApiProperty({ example: 'kuantan', description: 'A batchId, facilityId or orgId' })
  @IsLedgerId()
  id!: string;

  @ApiProperty({
    required: false,
    example: 'refco',
    description:
      'The organisation a facility belongs to (facility ids are unique only within one): required for facility subjects',
  })
  @ValidateIf((subject: CertificateSubjectDto) => subject.type === 'facility' || subject.orgId !== undefined)
  @IsLedgerId()
  orgId?: string;
}

export class EvidenceDto {
  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  @Matches(/^[0-9a-f]{64}$/, { message: '$property must be a lowercase hex SHA-256' })
  sha256!: string;

  @ApiProperty({ example: 'https://certifier.example/reports/2026-118.pdf' })
  @IsUrl({ require_protocol: true })
  uri!: string;
}

export class IssueCertificateDto {
  @ApiProperty({ example: 'IRMA-2026-0031' })
  @IsLedgerId()
  certificateId!: string;

  @ApiProperty({ example: 'IRMA' })
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,39}$/, {
    message: '$property must be a scheme name such as IRMA or RMI-RMAP',
  })
  scheme!: string;

  @ApiProperty({ required: false, example: 'IRMA 75' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  level?: string;

  @ApiProperty({ type: CertificateSubjectDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => CertificateSubjectDto)
  subject!: CertificateSubjectDto;

  @ApiProperty({ example: '2026-01-01T00:00:00Z' })
  @IsTimestampWithOffset()
  validFrom!: string;

  @ApiProperty({ example: '2027-01-01T00:00:00Z' })
  @IsTimestampWithOffset()
  validUntil!: string;

  @ApiProperty({ type: EvidenceDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto;

  @ApiProperty({ required: false, description: 'When it was issued (default: now)' })
  @IsOptional()
  @IsTimestampWithOffset()
  occurredAt?: string;
}

export class CertificateResponse {
  @ApiProperty() certificateId!: string;
  @ApiProperty({ enum: ['valid', 'suspended', 'revoked'] }) status!: string;
  @ApiProperty() position!: string;
}
