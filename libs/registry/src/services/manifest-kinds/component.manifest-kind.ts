import { Injectable } from '@nestjs/common';
import { DomainError, ManifestDocument, canonicalJson } from '@strata/domain';
import { ComponentsRepository } from '../../repositories/components.repository';
import { ComponentsService } from '../components.service';
import { CreateComponentDto } from '../../dtos/component.dto';
import { AppliedChange, ManifestApplication, ManifestKindHandler, assertSpec, changeOf, specViolations, stringField } from './manifest-kind';

/** A Component: created, or found the same; components cannot change. */
@Injectable()
export class ComponentManifestKind implements ManifestKindHandler {
  readonly kind = 'Component';
  readonly order = 1;
  readonly fieldPrefix = '';

  constructor(
    private readonly componentsRepository: ComponentsRepository,
    private readonly components: ComponentsService,
  ) {}

  scope(document: ManifestDocument): string {
    return `stack:${document.metadata['stack'] ?? ''}`;
  }

  async apply({ document, manager }: ManifestApplication): Promise<AppliedChange> {
    const { metadata, spec } = document;
    const name = metadata['name'] as string;
    assertSpec(document, specViolations(CreateComponentDto, spec, { name, stack: metadata['stack'] }), 'spec.');
    const type = stringField(spec, 'type') ?? '';
    const target = typeof spec['target'] === 'object' && spec['target'] !== null ? (spec['target'] as Record<string, unknown>) : {};
    const existing = await this.componentsRepository.findComponent(manager, name);
    if (!existing) {
      await this.components.createComponent({ name, stack: metadata['stack'] as string, type, target }, manager);
      return changeOf(document, name, 'create');
    }
    if (existing.stack.name !== metadata['stack'] || existing.type !== type || canonicalJson(existing.target) !== canonicalJson(target)) {
      throw DomainError.invalid(`component '${name}' exists with other settings`, [
        { field: 'spec', message: `is ${existing.type} in stack ${existing.stack.name} with target ${canonicalJson(existing.target)}; components cannot change` },
      ]);
    }
    return changeOf(document, name, 'unchanged');
  }
}
