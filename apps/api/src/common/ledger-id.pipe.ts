import { Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';
import { LEDGER_ID, SIGNING_KEY_ID } from './validation';

/** A path id that no ledger id could match cannot name anything: 404, before any work. */
@Injectable()
export class LedgerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!LEDGER_ID.test(value))
      throw new NotFoundException({ code: 'NOT_FOUND', message: `No such id: ${value}` });
    return value;
  }
}

/** The same for a signing key id in a path. */
@Injectable()
export class SigningKeyIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SIGNING_KEY_ID.test(value))
      throw new NotFoundException({ code: 'NOT_FOUND', message: `No such signing key: ${value}` });
    return value;
  }
}
