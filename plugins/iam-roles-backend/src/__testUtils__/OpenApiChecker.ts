import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { parse as parseYaml } from 'yaml';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, any>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const SPEC_ID = 'openapi';

/** A JSON pointer segment (RFC 6901). */
const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The spec of this package, `src/schema/openapi.yaml`, and checks of routes and responses against it. */
export class OpenApiChecker {
  private readonly ajv: Ajv;

  private constructor(readonly spec: Schema) {
    // The spec's schemas are JSON Schema; `strict: false` lets OpenAPI's own keywords (example,
    // description at any level) pass. Schemas are compiled by JSON pointer into the spec, so their
    // `#/components/...` refs resolve against it.
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
    addFormats(this.ajv);
    this.ajv.addSchema(spec, SPEC_ID);
  }

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
    if (!resolved.content?.[type]) {
      return [
        `${method} ${op.path} ${status} has no ${type} content in the spec`,
      ];
    }
    const responsePointer = response.$ref
      ? String(response.$ref).replace(/^#/, '')
      : `/paths/${pointer(
          op.path,
        )}/${method.toLowerCase()}/responses/${status}`;
    const validate = this.ajv.getSchema(
      `${SPEC_ID}#${responsePointer}/content/${pointer(type)}/schema`,
    )!;
    if (validate(body)) {
      return [];
    }
    const errors = (validate.errors ?? []).map(e => {
      const at = `$${e.instancePath.replace(/\//g, '.')}`;
      if (e.keyword === 'additionalProperties') {
        return `${at}.${e.params.additionalProperty}: not in the spec`;
      }
      if (e.keyword === 'enum') {
        return `${at}: ${JSON.stringify(
          e.data ?? undefined,
        )} is not one of ${e.params.allowedValues.join(', ')}`;
      }
      return `${at}: ${e.message}`;
    });
    return errors;
  }
}
