import { DependencyDeclaration } from '../components/component-version';

/** Where a version of the resulting set comes from: the proposed group, or what stays deployed. */
export type VersionOrigin = 'member' | 'deployed';

export interface PlacedVersion {
  component: string;
  version: string;
  origin: VersionOrigin;
}

/** Every conflict carries a `message` written for the human who has to fix it. */
export type VersionConflict =
  | { kind: 'no-members'; message: string }
  | { kind: 'duplicate-member'; component: string; versions: string[]; message: string }
  | { kind: 'invalid-version'; subject: PlacedVersion; message: string }
  | { kind: 'invalid-range'; dependent: PlacedVersion; dependency: DependencyDeclaration; message: string }
  | { kind: 'missing-dependency'; dependent: PlacedVersion; dependency: DependencyDeclaration; message: string }
  | { kind: 'unsatisfied-range'; dependent: PlacedVersion; dependency: DependencyDeclaration; found: PlacedVersion; message: string }
  | { kind: 'dependency-cycle'; path: PlacedVersion[]; tangle: PlacedVersion[]; message: string };

export type VersionConflictKind = VersionConflict['kind'];

/** Whether the group is to blame: conflicts among deployed versions only predate the group. */
export function conflictInvolvesMember(conflict: VersionConflict): boolean {
  switch (conflict.kind) {
    case 'no-members':
    case 'duplicate-member':
      return true;
    case 'invalid-version':
      return conflict.subject.origin === 'member';
    case 'invalid-range':
    case 'missing-dependency':
      return conflict.dependent.origin === 'member';
    case 'unsatisfied-range':
      return conflict.dependent.origin === 'member' || conflict.found.origin === 'member';
    case 'dependency-cycle':
      return conflict.tangle.some((placed) => placed.origin === 'member');
  }
}
