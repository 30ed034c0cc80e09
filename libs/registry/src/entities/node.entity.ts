import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ComponentEntity } from './component.entity';

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

  @ManyToOne(() => ComponentEntity)
  @JoinColumn({ name: 'component_id' })
  component?: ComponentEntity;

  @Column({ type: 'text' })
  address!: string;

  /** The origin the node asked to be reached at (heartbeat `url`); null: `http://<address>`. */
  @Column({ type: 'text', nullable: true })
  url!: string | null;

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

  /** When its state was last announced (`node.changed`); announced again after a while so projections heal. */
  @Column({ type: 'timestamptz', nullable: true })
  announcedAt!: Date | null;
}

/** The origin requests to the node go to. */
export function nodeUrl(node: Pick<NodeEntity, 'url' | 'address'>): string {
  return node.url ?? `http://${node.address}`;
}
