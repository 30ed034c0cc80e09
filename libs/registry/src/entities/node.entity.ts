import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type NodeHealth = 'healthy' | 'unhealthy' | 'unknown';

/** A backend endpoint running an app component; its version is discovered, not only declared. */
@Entity({ name: 'nodes' })
@Unique('nodes_address', ['environmentId', 'location', 'componentId', 'address'])
export class NodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  environmentId!: string;

  @Column({ type: 'text' })
  location!: string;

  @Column({ type: 'uuid' })
  componentId!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text', nullable: true })
  declaredVersion!: string | null;

  @Column({ type: 'text', nullable: true })
  discoveredVersion!: string | null;

  @Column({ type: 'text' })
  health!: NodeHealth;

  @Column({ type: 'jsonb' })
  resources!: Record<string, number>;

  @Column({ type: 'timestamptz' })
  lastSeen!: Date;
}
