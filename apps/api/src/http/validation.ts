import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException } from './problem';

const flatten = (errors: ValidationError[], parent = ''): { field: string; code: string; message: string }[] =>
  errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      code: rule === 'whitelistValidation' ? 'UNKNOWN_FIELD' : `INVALID_${rule.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`,
      message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });

/** whitelist + forbidNonWhitelisted: an unknown field is an error, never silently dropped. */
export const ledgerValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      const first = list[0];
      return new ProblemException(400, 'VALIDATION_FAILED', list.map((e) => e.message).join('; '), first?.field, { errors: list });
    },
  });
