import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not']);
const SUBSCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf']);
const SUBSCHEMA_MAPS = new Set(['properties', 'definitions']);

/**
 * Rewrites `X or null` (zod's nullable) as one schema with both types, and `allOf` of one schema (zod's way of
 * describing a referenced one) as that schema. fast-json-stringify writes those directly; an `anyOf` it would
 * resolve for every value by validating it against each branch.
 */
function writable(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SUBSCHEMA.has(key)) out[key] = writable(value);
    else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map(writable);
    else if (SUBSCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, writable(sub)]));
    } else out[key] = value;
  }
  const { allOf, ...described } = out;
  if (Array.isArray(allOf) && allOf.length === 1) return { ...described, ...(allOf[0] as JsonSchema) };
  const branches = out.anyOf as JsonSchema[] | undefined;
  if (branches?.length === 2) {
    const value = branches.find((b) => b.type !== 'null');
    if (branches.some((b) => b.type === 'null') && typeof value?.type === 'string') {
      const { anyOf: _anyOf, ...rest } = out;
      return { ...rest, ...value, type: [value.type, 'null'] };
    }
  }
  return out;
}

/** The JSON Schema that fast-json-stringify writes a zod schema's output with (dates as ISO 8601 strings). */
export function writableJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _$schema, ...json } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  });
  return writable(json) as JsonSchema;
}

/**
 * For the busiest routes: a successful response is written by fast-json-stringify from the JSON Schema of the
 * route's zod schema, rather than checked field by field by zod and then stringified. Only the schema's
 * properties are written (required ones first), so nothing undeclared leaks out, and a missing required
 * property still fails the response. Problem documents keep zod's serializer.
 */
export const fastSerializerCompiler: FastifySerializerCompiler<unknown> = (route) =>
  route.httpStatus?.startsWith('2') ? fastJson(writableJsonSchema(route.schema as z.ZodType)) : serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
