import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { UnprocessableInputException } from './json-body';
import { RequestValidationException } from './request-validation';

/** PostgreSQL's `integer`: the range of the columns path and query integers are looked up in. */
export const INT4_MAX = 2_147_483_647;

/**
 * A whole number in a path or query parameter, within its column's range: not a number is a 400,
 * one beyond the range (`99999999999999999999`) a 422, each naming the parameter, so it never
 * reaches PostgreSQL as a value it would refuse.
 */
@Injectable()
export class IntegerParamPipe implements PipeTransform<string, number> {
  constructor(
    private readonly min = 1,
    private readonly max = INT4_MAX,
  ) {}

  transform(value: string, metadata: ArgumentMetadata): number {
    const field = `${metadata.type === 'param' ? 'path' : metadata.type}.${metadata.data ?? ''}`;
    if (!/^-?\d{1,30}$/.test(value)) {
      throw new RequestValidationException([{ field, message: 'must be a whole number' }]);
    }
    const parsed = Number(value);
    if (parsed < this.min || parsed > this.max) {
      throw new UnprocessableInputException([{ field, message: `must be from ${this.min} to ${this.max}` }]);
    }
    return parsed;
  }
}
