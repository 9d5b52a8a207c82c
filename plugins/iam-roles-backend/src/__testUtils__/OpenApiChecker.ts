import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { parse as parseYaml } from 'yaml';

type Schema = Record<string, any>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The spec of this package, `src/schema/openapi.yaml`, and checks of routes and responses against it. */
export class OpenApiChecker {
  private constructor(readonly spec: Schema) {}

  static load(): OpenApiChecker {
    const text = fs.readFileSync(
      resolvePackagePath(
        '@backstage-iam/plugin-iam-roles-backend',
        'src/schema/openapi.yaml',
      ),
      'utf8',
    );
    // Duplicate keys are errors (the yaml default), so a spec edit cannot silently shadow a route.
    return new OpenApiChecker(parseYaml(text, { uniqueKeys: true }) as Schema);
  }

  /** `METHOD /path/{param}` for every operation of the spec. */
  operations(): string[] {
    const out: string[] = [];
    for (const [p, item] of Object.entries<Schema>(this.spec.paths ?? {})) {
      for (const m of Object.keys(item)) {
        if (METHODS.includes(m)) {
          out.push(`${m.toUpperCase()} ${p}`);
        }
      }
    }
    return out.sort();
  }

  /** `METHOD /path/{param}` for every route an express router serves. */
  static routesOf(router: { stack: any[] }): string[] {
    const out: string[] = [];
    for (const layer of router.stack) {
      const route = layer.route;
      if (!route) {
        continue;
      }
      const specPath = String(route.path).replace(/:(\w+)/g, '{$1}');
      for (const m of Object.keys(route.methods)) {
        out.push(`${m.toUpperCase()} ${specPath}`);
      }
    }
    return out.sort();
  }

  private resolve(schema: Schema): Schema {
    let s = schema;
    while (s && typeof s.$ref === 'string') {
      const parts = s.$ref.replace(/^#\//, '').split('/');
      s = parts.reduce((acc: any, k: string) => acc?.[k], this.spec);
      if (!s) {
        throw new Error(`Unresolvable $ref ${schema.$ref}`);
      }
    }
    return s;
  }

  private findOperation(method: string, url: string) {
    const pathname = url.split('?')[0].replace(/^\/api\/iam-roles/, '');
    for (const [p, item] of Object.entries<Schema>(this.spec.paths ?? {})) {
      const pattern = new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`);
      if (pattern.test(pathname) && item[method.toLowerCase()]) {
        return { path: p, operation: item[method.toLowerCase()] as Schema };
      }
    }
    return undefined;
  }

  /** Errors of a response against the spec (empty when it conforms). */
  validateResponse(
    method: string,
    url: string,
    status: number,
    contentType: string | undefined,
    body: unknown,
  ): string[] {
    const op = this.findOperation(method, url);
    if (!op) {
      return [`${method} ${url} is not in the spec`];
    }
    const response = op.operation.responses?.[String(status)];
    if (!response) {
      return [`${method} ${op.path} has no ${status} response in the spec`];
    }
    const resolved = this.resolve(response);
    const type = (contentType ?? 'application/json').split(';')[0].trim();
    const media = resolved.content?.[type];
    if (!media) {
      return [
        `${method} ${op.path} ${status} has no ${type} content in the spec`,
      ];
    }
    const errors: string[] = [];
    this.validate(media.schema, body, '$', errors);
    return errors;
  }

  /** Errors of a value against a schema of the spec (the JSON Schema subset the spec uses). */
  validate(schema: Schema, value: unknown, at: string, errors: string[]): void {
    const s = this.resolve(schema);
    if (s.allOf) {
      for (const part of s.allOf) {
        this.validate(part, value, at, errors);
      }
    }
    if (s.enum && !s.enum.includes(value)) {
      errors.push(
        `${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`,
      );
    }
    switch (s.type) {
      case 'object': {
        if (
          typeof value !== 'object' ||
          value === null ||
          Array.isArray(value)
        ) {
          errors.push(`${at}: expected an object`);
          return;
        }
        const obj = value as Record<string, unknown>;
        for (const key of s.required ?? []) {
          if (obj[key] === undefined) {
            errors.push(`${at}.${key}: required`);
          }
        }
        for (const [key, v] of Object.entries(obj)) {
          const prop = s.properties?.[key];
          if (prop) {
            this.validate(prop, v, `${at}.${key}`, errors);
          } else if (s.additionalProperties === false) {
            errors.push(`${at}.${key}: not in the spec`);
          }
        }
        return;
      }
      case 'array':
        if (!Array.isArray(value)) {
          errors.push(`${at}: expected an array`);
          return;
        }
        value.forEach((item, i) =>
          this.validate(s.items ?? {}, item, `${at}[${i}]`, errors),
        );
        return;
      case 'string':
        if (typeof value !== 'string') {
          errors.push(`${at}: expected a string`);
          return;
        }
        if (s.format === 'date-time' && Number.isNaN(Date.parse(value))) {
          errors.push(`${at}: not a date-time`);
        }
        if (s.format === 'uuid' && !/^[0-9a-f-]{36}$/i.test(value)) {
          errors.push(`${at}: not a uuid`);
        }
        if (s.minLength !== undefined && value.length < s.minLength) {
          errors.push(`${at}: shorter than ${s.minLength}`);
        }
        if (s.maxLength !== undefined && value.length > s.maxLength) {
          errors.push(`${at}: longer than ${s.maxLength}`);
        }
        return;
      case 'integer':
      case 'number':
        if (
          typeof value !== 'number' ||
          (s.type === 'integer' && !Number.isInteger(value))
        ) {
          errors.push(
            `${at}: expected ${
              s.type === 'integer' ? 'an integer' : 'a number'
            }`,
          );
          return;
        }
        if (s.minimum !== undefined && value < s.minimum) {
          errors.push(`${at}: below ${s.minimum}`);
        }
        if (s.maximum !== undefined && value > s.maximum) {
          errors.push(`${at}: above ${s.maximum}`);
        }
        return;
      case 'boolean':
        if (typeof value !== 'boolean') {
          errors.push(`${at}: expected a boolean`);
        }
        return;
      default:
    }
  }
}
