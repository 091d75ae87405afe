import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class IssueApiKeyDto {
  @ApiPropertyOptional({ example: 'ci-pipeline', description: 'What the key is for; kept with its hash' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  label?: string;
}

export class IssueApiKeyResponse {
  @ApiProperty() orgId!: string;
  @ApiProperty({ description: 'Identifies the key in event envelopes and for revocation; not a secret' })
  keyId!: string;
  @ApiProperty({
    description:
      'The new API key, shown only in this first response (a retry with the same Idempotency-Key omits it)',
    required: false,
  })
  apiKey?: string;
  @ApiPropertyOptional() label?: string;
  @ApiProperty({ description: 'Log position of the command’s last event' }) position!: string;
}
