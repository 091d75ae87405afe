import { Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';
import { LEDGER_ID } from './validation';

/** A path id that no ledger id could match cannot name anything: 404, before any work. */
@Injectable()
export class LedgerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!LEDGER_ID.test(value))
      throw new NotFoundException({ code: 'NOT_FOUND', message: `No such id: ${value}` });
    return value;
  }
}
