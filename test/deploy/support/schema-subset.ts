// A small JSON-Schema subset (type, required, properties, closed objects, items, enum, pattern, bounds, anyOf) and its validator.
// Why not kubernetes-models or ajv: neither is a direct dependency (see docs/operations.md, the kube-prometheus
// section); the schemas in k8s-schemas.ts are subsets transcribed from the Kubernetes 1.32 OpenAPI and
// prometheus-operator CRDs, closed where this repository's manifests use the object, so a misspelt
// field or a wrong type fails instead of being silently dropped by the API server.

export interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  /** false = closed object; a schema = every other property's schema (a map). */
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly anyOf?: readonly Schema[];
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every violation of `schema` by `value`, each as "path: rule". Empty = valid. */
export function validate(value: unknown, schema: Schema, path = '$'): string[] {
  if (schema.anyOf) {
    const results = schema.anyOf.map((s) => validate(value, s, path));
    return results.some((r) => r.length === 0) ? [] : [`${path}: matches none of anyOf (${results.map((r) => r.join('; ')).join(' | ')})`];
  }
  const errors: string[] = [];
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const ok = schema.type === actual || (schema.type === 'number' && actual === 'integer');
    if (!ok) return [`${path}: expected ${schema.type}, got ${actual}`];
  }
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      errors.push(`${path}: ${JSON.stringify(value)} does not match /${schema.pattern}/`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) {
      const items = schema.items;
      value.forEach((v, i) => errors.push(...validate(v, items, `${path}[${i}]`)));
    }
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${path}: missing required field ${key}`);
    for (const [key, v] of Object.entries(record)) {
      const known = schema.properties?.[key];
      if (known) errors.push(...validate(v, known, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unknown field ${key}`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validate(v, schema.additionalProperties, `${path}.${key}`));
    }
  }
  return errors;
}
