import { DomainError, DomainViolation, MANIFEST_KINDS, ManifestDocument, ManifestKind, RolloutPhase, documentLabel } from '@strata/domain';
import { RolloutDeclarationRefusal } from '@strata/contracts';
import { flattenValidationErrors } from '@strata/observability';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EntityManager } from 'typeorm';
import { DeclaredRolloutEntity } from '../../entities/declared-rollout.entity';

export type ApplyAction = 'create' | 'update' | 'unchanged';

/** What became of a declared Rollout: routing-control started it, refused it, or has not answered yet. */
export type RolloutOutcome =
  | { status: 'started'; rolloutId: string; phase: RolloutPhase }
  | { status: 'refused'; refusal: RolloutDeclarationRefusal; reason: string; violations: DomainViolation[] }
  | { status: 'pending'; reason: string };

export interface ApplyChange {
  document: string;
  kind: ManifestDocument['kind'];
  name: string;
  action: ApplyAction;
  detail?: string;
  /** Rollouts of a real apply only: a dry run declares nothing, so nothing answers it. */
  rollout?: RolloutOutcome;
}

/** A change as the transaction sees it: a Rollout also carries its declaration, whose answer the apply reports. */
export interface AppliedChange extends ApplyChange {
  declaration?: { row: DeclaredRolloutEntity; stack: string };
}

/** One document of a manifest being applied, in the apply's transaction. */
export interface ManifestApplication {
  document: ManifestDocument;
  actor: string;
  /** Everything is written all the same and rolled back afterwards; a handler only words its answer for it. */
  dryRun: boolean;
  manager: EntityManager;
}

/**
 * How one kind of manifest document is applied: idempotently (what exists with the same content is
 * `unchanged`), refusing with a DomainError whose fields are relative to the document. A new kind is
 * one new handler registered in ManifestKinds.
 */
export interface ManifestKindHandler {
  readonly kind: ManifestKind;
  /** Kinds are applied in dependency order, lowest first, whatever order the manifest lists them in. */
  readonly order: number;
  /** Where a refusal's field names start inside the document ('spec.' or ''). */
  readonly fieldPrefix: string;
  /** What the document creates or changes (its stack, or its component), for serialising concurrent applies. */
  scope(document: ManifestDocument): string;
  apply(application: ManifestApplication): Promise<AppliedChange>;
}

export const MANIFEST_KIND_HANDLERS = Symbol('strata:registry:manifest-kind-handlers');

/** The registry of manifest kinds: one handler per kind, every kind of the manifest format handled. */
export class ManifestKinds {
  private readonly byKind = new Map<ManifestKind, ManifestKindHandler>();

  constructor(handlers: readonly ManifestKindHandler[]) {
    for (const handler of handlers) {
      if (this.byKind.has(handler.kind)) {
        throw new Error(`two handlers for manifest kind ${handler.kind}`);
      }
      this.byKind.set(handler.kind, handler);
    }
    const missing = MANIFEST_KINDS.filter((kind) => !this.byKind.has(kind));
    if (missing.length > 0) {
      throw new Error(`no handler for manifest kind(s) ${missing.join(', ')}`);
    }
  }

  of(kind: ManifestKind): ManifestKindHandler {
    return this.byKind.get(kind) as ManifestKindHandler;
  }
}

export function changeOf(document: ManifestDocument, name: string, action: ApplyAction, detail?: string): ApplyChange {
  return { document: documentLabel(document), kind: document.kind, name, action, ...(detail ? { detail } : {}) };
}

export function stringField(spec: Record<string, unknown>, field: string): string | undefined {
  const value = spec[field];
  return typeof value === 'string' ? value : undefined;
}

/** A domain validator's violations of a document's spec, named from the document (`spec.when`; `spec` for the whole). */
export function inSpec(violations: readonly DomainViolation[]): DomainViolation[] {
  return violations.map((violation) => ({ ...violation, field: violation.field === '' ? 'spec' : `spec.${violation.field}` }));
}

/**
 * A document's spec checked by the REST API's rules for the same resource (its DTO, unknown fields
 * refused, the same limits), so a misspelt field (`dependecies`) is refused naming it rather than
 * dropped, and a manifest cannot store what the API would refuse. `fromMetadata`: the DTO's fields
 * that the document carries in its metadata (checked where the resource's service checks them).
 * Violations name fields relative to the spec.
 */
export function specViolations(dto: new () => object, spec: Record<string, unknown>, fromMetadata: Record<string, unknown> = {}): DomainViolation[] {
  const misplaced = Object.keys(fromMetadata)
    .filter((key) => key in spec)
    .map((key) => ({ field: key, message: `belongs in metadata (metadata.${key}), not in spec` }));
  const errors = validateSync(plainToInstance(dto, { ...spec, ...fromMetadata }), { whitelist: true, forbidNonWhitelisted: true });
  const checked = flattenValidationErrors(errors).filter((violation) => !(violation.field.split(/[.[]/)[0] in fromMetadata));
  return [...misplaced, ...checked];
}

/** The spec's keys that are none of `fields`, for kinds whose spec has no DTO of its own (fields relative to the spec). */
export function unknownSpecKeys(document: ManifestDocument, fields: readonly string[]): DomainViolation[] {
  return Object.keys(document.spec)
    .filter((key) => !fields.includes(key))
    .map((key) => ({ field: key, message: `is not a field of a ${document.kind} spec (${fields.join(', ')})` }));
}

/** Refuses the document when its spec has violations (fields relative to the spec, as `specViolations` names them). */
export function assertSpec(document: ManifestDocument, violations: readonly DomainViolation[], prefix: '' | 'spec.'): void {
  if (violations.length > 0) {
    throw DomainError.invalid(
      `${document.kind} has ${violations.length} invalid field(s)`,
      violations.map((violation) => ({ ...violation, field: `${prefix}${violation.field}` })),
    );
  }
}

/** Prefixes a refusal's fields with the document that caused it, so the manifest author can find it. */
export function inDocument(document: ManifestDocument, error: unknown, specPrefix: string): unknown {
  if (!(error instanceof DomainError)) {
    return error;
  }
  const label = documentLabel(document);
  const violations = error.violations.length > 0 ? error.violations.map((violation) => ({ ...violation, field: `${label}.${specPrefix}${violation.field}` })) : [{ field: label, message: error.message }];
  return new DomainError(error.code, `${label}: ${error.message}; nothing was applied`, violations);
}
