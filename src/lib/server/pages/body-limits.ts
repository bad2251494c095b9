import { CASELOAD_MAX_BYTES } from '../../domain/caseload-file';
import { IMD_FILE_MAX_BYTES } from '../../domain/imd-file';

/**
 * How large a body each page takes. Every form of the product fits in adapter-node's default of 512 KiB, kept for
 * them; the caseload page posts a file of up to 20 MiB, and the postcode table's page one of up to 64 MiB, each with
 * room for its other fields and the multipart framing.
 * adapter-node takes one limit for every page (BODY_SIZE_LIMIT, the largest), and the pages' hook holds each page
 * to its own by the length the request announces (browsers always announce it for a form).
 */
export const PAGE_BODY_LIMIT = 512 * 1024;
export const CASELOAD_PAGE_BODY_LIMIT = CASELOAD_MAX_BYTES + 256 * 1024;
export const IMD_PAGE_BODY_LIMIT = IMD_FILE_MAX_BYTES + 256 * 1024;
export const LARGEST_PAGE_BODY = IMD_PAGE_BODY_LIMIT;

const LIMITS: Record<string, number> = { '/imports/caseload': CASELOAD_PAGE_BODY_LIMIT, '/admin/reference': IMD_PAGE_BODY_LIMIT };
export const bodyLimitFor = (path: string): number => LIMITS[path] ?? PAGE_BODY_LIMIT;
