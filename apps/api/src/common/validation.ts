import { isExactKg } from '@tracelode/domain';
import { parseInstant } from './instant';
import { Matches, registerDecorator, type ValidationOptions } from 'class-validator';

/** Ids chosen by producers: letters, digits and `._:~-` (a GS1 URN fits), at most 128 characters. */
export const LEDGER_ID = /^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$/;
export const IsLedgerId = () =>
  Matches(LEDGER_ID, {
    message:
      '$property must be 1-128 characters of letters, digits and ._:~- (starting with a letter or digit)',
  });

/** A Harmonized System code: 4 digits, then up to two groups of 2 (2846.90). */
export const HS_CODE = /^\d{4}(\.\d{2}){0,2}$/;

/** Signing key ids: as ledger ids, plus `_`, so a base64url JWK thumbprint (RFC 7638) is one. */
export const SIGNING_KEY_ID = /^[A-Za-z0-9_.:~-]{1,128}$/;
export const IsSigningKeyId = () =>
  Matches(SIGNING_KEY_ID, { message: '$property must be 1-128 characters of letters, digits and _.:~-' });

/** A positive mass in kilograms with at most 3 decimals (exact grams). */
export function IsMassKg(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMassKg',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be a positive number of kilograms with at most 3 decimals',
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'number' && value > 0 && isExactKg(value) },
    });
}

/**
 * ISO 8601 date and time with an explicit offset (`Z` or `±hh:mm`): without one it names no instant.
 * It must name a real one (`parseInstant`): no 30 February, no hour 24, no year before 1900.
 */
export function IsTimestampWithOffset(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestampWithOffset',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          '$property must be a real ISO 8601 date-time from 1900 on with an offset, e.g. 2026-03-01T08:00:00Z',
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseInstant(value) !== undefined,
      },
    });
}

/** At most this many analytes in one grade: a real assay reports a few dozen at most. */
export const MAX_GRADE_ANALYTES = 64;

/** A map of assay results: keys like `TREO` or `Nd2O3`, values in percent (0-100), at most 64 of them. */
export function IsGrade(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isGrade',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must map 1 to ${MAX_GRADE_ANALYTES} analytes (e.g. TREO, Nd2O3) to percentages between 0 and 100`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length > 0 &&
          Object.keys(value).length <= MAX_GRADE_ANALYTES &&
          Object.entries(value).every(
            ([key, pct]) =>
              /^[A-Za-z][A-Za-z0-9]{0,15}$/.test(key) && typeof pct === 'number' && pct >= 0 && pct <= 100,
          ),
      },
    });
}

/** A map to numbers, each a JSON number (not `"0.5"`, which would be stored as a string) and finite. */
export function IsNumberMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNumberMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an object whose values are numbers', ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every((item) => typeof item === 'number' && Number.isFinite(item)),
      },
    });
}
