import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shape of the PACT v3 CarbonFootprint the ledger fills in (decimals are strings, per v3). */
export class PactCarbonFootprintDto {
  @ApiProperty({ enum: ['kilogram'] }) declaredUnitOfMeasurement!: 'kilogram';
  @ApiProperty({ example: '1' }) declaredUnitAmount!: string;
  @ApiProperty({ example: '1' }) productMassPerDeclaredUnit!: string;
  @ApiProperty({ format: 'date-time' }) referencePeriodStart!: string;
  @ApiProperty({ format: 'date-time' }) referencePeriodEnd!: string;
  @ApiPropertyOptional({ example: 'VN', description: 'Where the batch was mined or produced' })
  geographyCountry?: string;
  @ApiProperty() boundaryProcessesDescription!: string;
  @ApiProperty({ example: '10', description: 'kg CO2e per kg: the batch’s intensity' })
  pcfExcludingBiogenicUptake!: string;
  @ApiProperty({ example: '10' }) pcfIncludingBiogenicUptake!: string;
  @ApiProperty({ example: '10' }) fossilGhgEmissions!: string;
  @ApiProperty({ example: '0' }) fossilCarbonContent!: string;
  @ApiProperty({ type: [String], example: ['AR6'] }) ipccCharacterizationFactors!: string[];
  @ApiProperty({ type: [String], example: ['PACT-3.0'] }) crossSectoralStandards!: string[];
  @ApiProperty({ example: '0' }) exemptedEmissionsPercent!: string;
  @ApiProperty() exemptedEmissionsDescription!: string;
  @ApiProperty() allocationRulesDescription!: string;
  @ApiProperty() packagingEmissionsIncluded!: boolean;
  @ApiProperty() ccsTechnologicalCO2CaptureIncluded!: boolean;
  @ApiProperty({ example: '85.71428571428571', description: 'Percent' }) primaryDataShare!: string;
}

/** OpenAPI shape of a PACT v3 ProductFootprint (standards/pact/pact-v3-openapi.yaml). */
export class PactProductFootprintDto {
  @ApiProperty({ format: 'uuid', description: 'Name-based: the same batch view always gives the same id' })
  id!: string;
  @ApiProperty({ example: '3.0.3' }) specVersion!: string;
  @ApiProperty({ format: 'date-time' }) created!: string;
  @ApiProperty({ enum: ['Active', 'Deprecated'] }) status!: 'Active' | 'Deprecated';
  @ApiProperty() companyName!: string;
  @ApiProperty({ type: [String], example: ['urn:pact:tracelode:company-id:metco'] }) companyIds!: string[];
  @ApiProperty() productDescription!: string;
  @ApiProperty({ type: [String], example: ['urn:pact:tracelode:product-id:NDPR-METAL-001'] })
  productIds!: string[];
  @ApiProperty({ example: 'metal (Nd, Pr)' }) productNameCompany!: string;
  @ApiProperty() comment!: string;
  @ApiProperty({ type: PactCarbonFootprintDto }) pcf!: PactCarbonFootprintDto;
}
