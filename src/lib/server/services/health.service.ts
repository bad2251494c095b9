import type { Db } from '../db/client';
import type { ReplicaHealth, Reads } from '../db/read-replica';
import { ping } from '../repositories/health.repository';

/** What a load balancer or monitor asks, signed in or not. */
export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly reads: Reads,
  ) {}

  /** Rejects when the database cannot answer a trivial query. */
  check(): Promise<void> {
    return ping(this.db);
  }

  /** The read replica's state, or null when there is none. Never rejects: a replica problem is reported, not raised. */
  replica(): Promise<ReplicaHealth | null> {
    return this.reads.replica();
  }
}
