import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shape of `GET /batches` (each row is typed in apps/api/src/ledger/view-source.ts). */
export class BatchListDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'The custody view of each batch as GET /batches/{id} shows it to the reader, without timeline and openShipment',
  })
  batches!: Record<string, unknown>[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Opaque cursor of the next page; null on the last',
  })
  next!: string | null;
}
