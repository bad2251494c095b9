import { z } from 'zod';
import { DEVICE_KINDS } from '../domain/vocabulary';
import { oneOf, trimmed, uuid, version } from './common.schema';

// Kept for the device service, which imports it from here.
export type { DeviceKind } from '../domain/vocabulary';

export const device = z
  .object({ id: uuid, kind: z.enum(DEVICE_KINDS), name: z.string(), manufacturer: z.string().nullable(), active: z.boolean(), version: z.int() })
  .meta({ id: 'Device' });

export const deviceQuery = z.object({
  kind: z.enum(DEVICE_KINDS).optional(),
  includeRetired: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Retired devices are left out unless this is true.'),
});

export const createDeviceBody = z
  .object({
    kind: oneOf('Kind', DEVICE_KINDS),
    name: trimmed(200, 'Name'),
    manufacturer: trimmed(200, 'Manufacturer').optional(),
  })
  .strict();

export const updateDeviceBody = z
  .object({ version, active: z.boolean().optional(), manufacturer: trimmed(200, 'Manufacturer').nullable().optional() })
  .strict()
  .describe('Retire a device (active false) to stop offering it; past device starts keep its name.');

export type Device = z.infer<typeof device>;
