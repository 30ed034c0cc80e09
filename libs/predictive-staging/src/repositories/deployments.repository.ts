import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import type { DeployedGroup } from '../domain/app-version-proposal';

const schema = PREDICTIVE_STAGING_SCHEMA;

/** Where in an environment a group was deployed, as the registry's version map says. */
export type DeploymentLocation = 'production' | 'staging';

export interface NewDeployment extends DeployedGroup {
  stack: string;
  environment: string;
  location: DeploymentLocation;
}

/** Deployments kept per environment, newest first: far more than any last-known-good search walks back. */
const HISTORY_LIMIT = 50;

/** The only code touching the projection of the registry's deployments and component types. */
@Injectable()
export class DeploymentsRepository {
  /** A component's type and, for a database, the variable its registered version names for the URL (the newest version's wins). */
  async recordComponentType(manager: EntityManager, stack: string, component: string, type: string, databaseUrlFrom: string | null = null): Promise<void> {
    await manager.query(
      `INSERT INTO "${schema}".known_components (stack, component, type, database_url_from) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stack, component) DO UPDATE SET type = EXCLUDED.type, database_url_from = COALESCE(EXCLUDED.database_url_from, known_components.database_url_from)`,
      [stack, component, type, databaseUrlFrom],
    );
  }

  /** The variable naming a database component's URL, as its registered version said; null when none did. */
  async databaseUrlFrom(manager: EntityManager, stack: string, component: string): Promise<string | null> {
    const rows = (await manager.query(`SELECT database_url_from FROM "${schema}".known_components WHERE stack = $1 AND component = $2`, [stack, component])) as { database_url_from: string | null }[];
    return rows[0]?.database_url_from ?? null;
  }

  async componentType(manager: EntityManager, stack: string, component: string): Promise<string | null> {
    const rows = (await manager.query(`SELECT type FROM "${schema}".known_components WHERE stack = $1 AND component = $2`, [stack, component])) as { type: string }[];
    return rows[0]?.type ?? null;
  }

  /** The stack's components of `type`, by name. */
  async componentsOfType(manager: EntityManager, stack: string, type: string): Promise<string[]> {
    const rows = (await manager.query(`SELECT component FROM "${schema}".known_components WHERE stack = $1 AND type = $2 ORDER BY component`, [stack, type])) as { component: string }[];
    return rows.map((row) => row.component);
  }

  /** Appends a deployment; the registry's events of a stack arrive in order, so the row order is the deployment order. */
  async recordDeployment(manager: EntityManager, deployment: NewDeployment): Promise<void> {
    await manager.query(`INSERT INTO "${schema}".deployments (stack, environment, location, version_group, members, deployed_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      deployment.stack,
      deployment.environment,
      deployment.location,
      deployment.versionGroup,
      JSON.stringify(deployment.members),
      new Date(deployment.deployedAt),
    ]);
  }

  /** The environment's deployments to `location` (production unless said), newest first. */
  async history(manager: EntityManager, stack: string, environment: string, location: DeploymentLocation = 'production'): Promise<DeployedGroup[]> {
    const rows = (await manager.query(`SELECT version_group, members, deployed_at FROM "${schema}".deployments WHERE stack = $1 AND environment = $2 AND location = $3 ORDER BY id DESC LIMIT $4`, [
      stack,
      environment,
      location,
      HISTORY_LIMIT,
    ])) as {
      version_group: string;
      members: DeployedGroup['members'];
      deployed_at: Date;
    }[];
    return rows.map((row) => ({ versionGroup: row.version_group, members: row.members, deployedAt: row.deployed_at.getTime() }));
  }
}
