import { Injectable, type PipeTransform } from '@nestjs/common';
import { LEDGER_ID, SIGNING_KEY_ID } from './validation';
import { apiProblem } from './problem-details';

/** A path id that no ledger id could match cannot name anything: 404, before any work. */
@Injectable()
export class LedgerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!LEDGER_ID.test(value)) throw apiProblem('NOT_FOUND', `No such id: ${value}`);
    return value;
  }
}

/** The same for a signing key id in a path. */
@Injectable()
export class SigningKeyIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SIGNING_KEY_ID.test(value)) throw apiProblem('NOT_FOUND', `No such signing key: ${value}`);
    return value;
  }
}
