import { STORABLE_KPI_VALUE, isStorableKpiValue, kpiHistogram } from '@strata/contracts';
import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

export const MAX_SAMPLES_PER_BATCH = 10_000;
export const MAX_HISTOGRAMS_PER_BATCH = 1_000;

function unknownKey(sample: object): string | null {
  for (const key in sample) {
    if (key !== 'timestamp' && key !== 'value') {
      return key;
    }
  }
  return null;
}

/**
 * The first problem in an array of `{timestamp, value}` samples, or null. Written by hand rather
 * than as nested DTOs because batches carry up to 10 000 samples and intake must keep COPY pace.
 */
export function firstSampleProblem(value: unknown): string | null {
  if (!Array.isArray(value)) {
    return 'must be an array of {timestamp, value}';
  }
  if (value.length > MAX_SAMPLES_PER_BATCH) {
    return `must hold at most ${MAX_SAMPLES_PER_BATCH} samples (got ${value.length})`;
  }
  for (let index = 0; index < value.length; index += 1) {
    const sample: unknown = value[index];
    if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) {
      return `samples[${index}] must be an object {timestamp, value}`;
    }
    const { timestamp, value: sampleValue } = sample as Record<string, unknown>;
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
      return `samples[${index}].timestamp must be epoch milliseconds (a whole number ≥ 0)`;
    }
    if (!isStorableKpiValue(sampleValue)) {
      return `samples[${index}].value must be ${STORABLE_KPI_VALUE}`;
    }
    // Both fields are present, so any third key is unknown; counting keys allocates nothing per sample.
    const extra = unknownKey(sample);
    if (extra !== null) {
      return `samples[${index}].${extra} should not exist`;
    }
  }
  return null;
}

/** The first problem in an array of histograms, checked against the contract's own schema. */
export function firstHistogramProblem(value: unknown): string | null {
  if (!Array.isArray(value)) {
    return 'must be an array of histograms';
  }
  if (value.length > MAX_HISTOGRAMS_PER_BATCH) {
    return `must hold at most ${MAX_HISTOGRAMS_PER_BATCH} histograms (got ${value.length})`;
  }
  for (let index = 0; index < value.length; index += 1) {
    const parsed = kpiHistogram.safeParse(value[index]);
    const issue = parsed.success ? undefined : parsed.error.issues[0];
    if (issue) {
      const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
      return `histograms[${index}]${path} ${issue.message}`;
    }
  }
  return null;
}

function arrayDecorator(name: string, check: (value: unknown) => string | null, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => check(value) === null,
        defaultMessage: (args: ValidationArguments) => check(args.value) ?? 'is invalid',
      },
    });
  };
}

export const IsSampleArray = (options?: ValidationOptions) => arrayDecorator('isSampleArray', firstSampleProblem, options);
export const IsHistogramArray = (options?: ValidationOptions) => arrayDecorator('isHistogramArray', firstHistogramProblem, options);
