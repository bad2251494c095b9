import { authorize } from '../../domain/access';
import { conflict, notFound, validation, type FieldError } from '../../domain/errors';
import type { Device, DeviceKind } from '../../schemas/devices.schema';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { writeAudit } from '../repositories/audit.repository';
import { activeDevicesNamed, insertDevice, listDevices, lockDevice, updateDevice, type DeviceRow } from '../repositories/device.repository';
import type { Ctx } from '../context';

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  manufacturer: r.manufacturer,
  active: r.active,
  version: r.version,
});

export class DeviceService {
  constructor(private readonly db: Db) {}

  async list(ctx: Ctx, q: { kind?: DeviceKind; includeRetired?: boolean } = {}): Promise<{ items: Device[] }> {
    authorize(ctx.actor, 'devices:read');
    const rows = await listDevices(this.db, q);
    return { items: rows.map(toDevice) };
  }

  async create(ctx: Ctx, input: { kind: DeviceKind; name: string; manufacturer?: string }): Promise<Device> {
    authorize(ctx.actor, 'devices:manage');
    try {
      return await this.db.transaction(async (tx) => {
        const device = toDevice(await insertDevice(tx, input));
        await writeAudit(tx, ctx, { action: 'device.create', entityType: 'device', entityId: device.id, after: device });
        return device;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`The catalogue already has a ${input.kind} called ${input.name}`);
      throw e;
    }
  }

  async update(ctx: Ctx, id: string, input: { version: number; active?: boolean; manufacturer?: string | null }): Promise<Device> {
    authorize(ctx.actor, 'devices:manage');
    return this.db.transaction(async (tx) => {
      const current = await lockDevice(tx, id);
      if (!current) throw notFound('No device with this id');
      if (current.version !== input.version) throw conflict(`The device has changed since you read it (now version ${current.version})`, { currentVersion: current.version });
      const { version: _v, ...changes } = input;
      const device = toDevice(await updateDevice(tx, id, { ...changes, version: current.version + 1, updatedAt: new Date() }));
      await writeAudit(tx, ctx, { action: 'device.update', entityType: 'device', entityId: id, before: toDevice(current), after: device });
      return device;
    });
  }
}

/** The devices named that are not active catalogue devices of their kind, as field errors. */
export async function deviceErrors(db: Db | Tx, chosen: { pump: string; cgm?: string; algorithm?: string }): Promise<FieldError[]> {
  const wanted = (['pump', 'cgm', 'algorithm'] as const).flatMap((kind) => (chosen[kind] ? [{ kind, name: chosen[kind]! }] : []));
  const rows = await activeDevicesNamed(db, wanted.map((w) => w.name));
  return wanted
    .filter((w) => !rows.some((r) => r.kind === w.kind && r.name === w.name))
    .map((w) => ({ path: w.kind, message: `${w.name} is not a ${w.kind === 'cgm' ? 'CGM' : w.kind} in the device catalogue` }));
}

/** A device start names active catalogue devices of the right kind; anything else is a field error. */
export async function checkDeviceStart(db: Db | Tx, chosen: { pump: string; cgm?: string; algorithm?: string }): Promise<void> {
  const errors = await deviceErrors(db, chosen);
  if (errors.length) throw validation(errors);
}
