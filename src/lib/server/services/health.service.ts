import type { Db } from '../db/client';
import { ping } from '../repositories/health.repository';

/** What a load balancer or monitor asks, signed in or not. */
export class HealthService {
  constructor(private readonly db: Db) {}

  /** Rejects when the database cannot answer a trivial query. */
  check(): Promise<void> {
    return ping(this.db);
  }
}
