import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A gateway's last report of its routing mode and the stack configs it has no available node for. */
@Entity({ name: 'gateway_availability' })
export class GatewayAvailabilityEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'text' }) gatewayId!: string;
  @Column({ type: 'text' }) mode!: 'normal' | 'fallback' | 'panic';
  @Column({ type: 'jsonb' }) unavailableConfigs!: string[];
  @Column({ type: 'integer' }) policyVersion!: number;
  @Column({ type: 'timestamptz' }) reportedAt!: Date;
}
