import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class RevokeApiKeyDto {
  @ApiPropertyOptional({ example: 'rotated' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class RevokeApiKeyResponse {
  @ApiProperty() orgId!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Log position of the command’s last event' }) position!: string;
}
