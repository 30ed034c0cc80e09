import { Injectable } from '@nestjs/common';
import { DomainError, ManifestDocument, externalContractReference } from '@strata/domain';
import { ComponentsService } from '../components.service';
import { RegisterComponentVersionDto } from '../../dtos/component.dto';
import { AppliedChange, ManifestApplication, ManifestKindHandler, assertSpec, changeOf, specViolations } from './manifest-kind';

/** A ComponentVersion: registered, or found with the same content (registration is idempotent itself). */
@Injectable()
export class ComponentVersionManifestKind implements ManifestKindHandler {
  readonly kind = 'ComponentVersion';
  readonly order = 2;
  // The registration names `version`, which the document holds in its metadata: each field is placed here.
  readonly fieldPrefix = '';

  constructor(private readonly components: ComponentsService) {}

  scope(document: ManifestDocument): string {
    return `component:${document.metadata['component'] ?? ''}`;
  }

  async apply({ document, actor, manager }: ManifestApplication): Promise<AppliedChange> {
    const { metadata, spec } = document;
    const component = metadata['component'] as string;
    const version = metadata['version'] as string;
    assertSpec(document, specViolations(RegisterComponentVersionDto, spec, { version }), 'spec.');
    const registration = await this.components
      .registerVersion(component, { ...spec, version } as Parameters<ComponentsService['registerVersion']>[1], actor, manager)
      .catch((error: unknown) => {
        if (!(error instanceof DomainError)) throw error;
        throw new DomainError(error.code, error.message, error.violations.map((violation) => ({ ...violation, field: violation.field === 'version' ? 'metadata.version' : `spec.${violation.field}` })));
      });
    const contractRef = externalContractReference((spec['spec'] as Record<string, unknown> | undefined)?.['openapi']);
    const note = contractRef === undefined ? undefined : `contract kept as a reference to '${contractRef}': it cannot be diffed, so the next version needs a major bump or an inlined document`;
    return changeOf(document, `${component}@${version}`, registration.created ? 'create' : 'unchanged', registration.created ? note : undefined);
  }
}
