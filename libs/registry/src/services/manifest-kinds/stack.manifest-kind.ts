import { Injectable } from '@nestjs/common';
import { ManifestDocument } from '@strata/domain';
import { StacksRepository } from '../../repositories/stacks.repository';
import { StacksService } from '../stacks.service';
import { CreateStackDto } from '../../dtos/stack.dto';
import { AppliedChange, ManifestApplication, ManifestKindHandler, assertSpec, changeOf, specViolations } from './manifest-kind';

/** A Stack: created, or its missing environments added (environments are never removed by a manifest). */
@Injectable()
export class StackManifestKind implements ManifestKindHandler {
  readonly kind = 'Stack';
  readonly order = 0;
  readonly fieldPrefix = 'spec.';

  constructor(
    private readonly stacksRepository: StacksRepository,
    private readonly stacks: StacksService,
  ) {}

  scope(document: ManifestDocument): string {
    return `stack:${document.metadata['name'] ?? ''}`;
  }

  async apply({ document, manager }: ManifestApplication): Promise<AppliedChange> {
    const name = document.metadata['name'] as string;
    assertSpec(document, specViolations(CreateStackDto, document.spec, { name }), '');
    const environments = Array.isArray(document.spec['environments']) ? (document.spec['environments'] as { name: string; mirrors?: string }[]) : [];
    const existing = await this.stacksRepository.findByName(manager, name);
    if (!existing) {
      await this.stacks.create({ name, environments }, manager);
      return changeOf(document, name, 'create');
    }
    const missing = environments.filter((environment) => !existing.environments.some((known) => known.name === environment.name));
    for (const environment of missing) {
      await this.stacks.addEnvironment(name, environment, manager);
    }
    // Apply never removes an environment (its version map, executions and triggers would go with it): say it stays.
    const unlisted = existing.environments.filter((known) => !environments.some((environment) => environment.name === known.name)).map((known) => known.name);
    const kept = unlisted.length > 0 ? `keeps ${unlisted.join(', ')}, which this manifest does not list (apply does not remove environments)` : undefined;
    if (missing.length === 0) return changeOf(document, name, 'unchanged', kept);
    return changeOf(document, name, 'update', [`adds environments ${missing.map((environment) => environment.name).join(', ')}`, kept].filter(Boolean).join('; '));
  }
}
