import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DeviceKind } from '../../schemas/devices.schema';
import type { Db, Tx } from '../db/client';
import { devices } from '../db/schema';

export type DeviceRow = typeof devices.$inferSelect;

/** The catalogue by kind and name: active devices only unless retired ones are asked for. */
export function listDevices(db: Db | Tx, q: { kind?: DeviceKind; includeRetired?: boolean }): Promise<DeviceRow[]> {
  return db
    .select()
    .from(devices)
    .where(and(q.kind ? eq(devices.kind, q.kind) : undefined, q.includeRetired ? undefined : eq(devices.active, true)))
    .orderBy(asc(devices.kind), asc(devices.name));
}

export async function insertDevice(db: Db | Tx, values: { kind: DeviceKind; name: string; manufacturer?: string }): Promise<DeviceRow> {
  const [row] = await db.insert(devices).values(values).returning();
  return row!;
}

/** The device, locked until the end of the transaction. */
export async function lockDevice(tx: Tx, id: string): Promise<DeviceRow | undefined> {
  const [row] = await tx.select().from(devices).where(eq(devices.id, id)).for('update');
  return row;
}

export async function updateDevice(
  db: Db | Tx,
  id: string,
  changes: { active?: boolean; manufacturer?: string | null; version: number; updatedAt: Date },
): Promise<DeviceRow> {
  const [row] = await db.update(devices).set(changes).where(eq(devices.id, id)).returning();
  return row!;
}

/** Active catalogue devices with any of these names. */
export function activeDevicesNamed(db: Db | Tx, names: string[]): Promise<{ kind: DeviceKind; name: string }[]> {
  return db
    .select({ kind: devices.kind, name: devices.name })
    .from(devices)
    .where(and(eq(devices.active, true), inArray(devices.name, names)));
}
