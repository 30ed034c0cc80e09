import { minVersion, Range, SemVer } from 'semver';
import { DomainViolation } from '../errors/domain-error';
import { resourceNameProblem } from '../stacks/names';
import { describeValue, fieldPath, requireObject, unknownKeyViolations } from './validation';

/**
 * Parses a SemVer 2.0 version strictly. The `semver` package tolerates a `v` prefix and surrounding
 * spaces even in strict mode, and two spellings of one version would break immutability and
 * lookups, so the text must be exactly the canonical form of what it parses to.
 */
export function parseStrictVersion(text: string): SemVer | undefined {
  let parsed: SemVer;
  try {
    parsed = new SemVer(text, { loose: false });
  } catch {
    return undefined;
  }
  const canonical = parsed.build.length > 0 ? `${parsed.version}+${parsed.build.join('.')}` : parsed.version;
  return canonical === text ? parsed : undefined;
}

export function versionViolations(version: unknown, field = 'version'): DomainViolation[] {
  if (typeof version !== 'string') {
    return [{ field, message: `must be a SemVer 2.0 version such as 1.4.2, got ${describeValue(version)}` }];
  }
  if (!parseStrictVersion(version)) {
    return [{ field, message: `'${version}' is not a SemVer 2.0 version (MAJOR.MINOR.PATCH[-prerelease][+build], no 'v' prefix)` }];
  }
  return [];
}

/** Why a range is unusable, or undefined when npm would accept it and some version can match it. */
export function rangeProblem(range: string): string | undefined {
  if (range.trim() === '') {
    // npm reads an empty range as `*`; an empty field is more likely a mistake than a wish.
    return "must not be blank; write '*' to accept any version";
  }
  let parsed: Range;
  try {
    parsed = new Range(range, { loose: false });
  } catch {
    return `'${range}' is not a semver range (e.g. ^1.2.0, ~1.2.0, >=1.2.0 <2.0.0, 1.2.0 - 1.4.0)`;
  }
  // minVersion of a whole `||` range gives up when one alternative is empty, so ask per alternative.
  const matchesSomething = parsed.set.some((comparators) => minVersion(new Range(comparators.map((comparator) => comparator.value).join(' '))) !== null);
  return matchesSomething ? undefined : `'${range}' matches no version`;
}

/**
 * Dependencies are `{component, range}`, one entry per component. `owner`, when known, refuses a
 * component depending on itself.
 */
export function dependenciesViolations(dependencies: unknown, field = 'dependencies', owner?: string): DomainViolation[] {
  if (!Array.isArray(dependencies)) {
    return [{ field, message: `must be a list of {component, range}, got ${describeValue(dependencies)}` }];
  }
  const violations: DomainViolation[] = [];
  const seen = new Set<string>();
  dependencies.forEach((dependency: unknown, index) => {
    const itemField = fieldPath(field, index);
    if (!requireObject(dependency, itemField, violations)) {
      return;
    }
    violations.push(...unknownKeyViolations(dependency, ['component', 'range'], itemField));
    const { component, range } = dependency;
    if (typeof component !== 'string') {
      violations.push({ field: `${itemField}.component`, message: `must name a component, got ${describeValue(component)}` });
    } else {
      const nameProblem = resourceNameProblem(component);
      if (nameProblem) {
        violations.push({ field: `${itemField}.component`, message: nameProblem });
      } else if (component === owner) {
        violations.push({ field: `${itemField}.component`, message: `a component cannot depend on itself ('${component}')` });
      } else if (seen.has(component)) {
        violations.push({ field: `${itemField}.component`, message: `duplicate dependency on '${component}'; combine the ranges into one` });
      }
      seen.add(component);
    }
    if (typeof range !== 'string') {
      violations.push({ field: `${itemField}.range`, message: `must be a semver range string, got ${describeValue(range)}` });
    } else {
      const problem = rangeProblem(range);
      if (problem) {
        violations.push({ field: `${itemField}.range`, message: problem });
      }
    }
  });
  return violations;
}
