import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { validationProblem } from './problem-details';
import { apiProblem } from './problem-details';

/**
 * The global ValidationPipe (whitelist, unknown fields refused, transform), plus one rule it lacks:
 * a command body must be a JSON object, not absent, null, an array or a scalar.
 */
@Injectable()
export class LedgerValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: validationProblem,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw apiProblem('VALIDATION_FAILED', 'The request body must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}
