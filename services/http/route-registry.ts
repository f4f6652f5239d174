// Each API route is declared once: the same zod schemas validate requests and write the OpenAPI document.
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { type AuthedActor, actorOf } from './auth';
import { zodToAppError } from './errors';

type Method = 'get' | 'post' | 'patch' | 'delete';

/** A file answer with a name of its own. */
export class NamedFile {
  constructor(
    readonly name: string,
    readonly data: Buffer | string,
  ) {}
}

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: Method;
  /** Express path; `:id`-style segments are UUIDs. */
  path: string;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  status?: number;
  /** The status by what the handler answered (a plan imported at once, 201, or kept for the job, 202). */
  statusOf?: (result: unknown) => number;
  /** What the 200/201 answer holds, for the document only. */
  responds?: string;
  /** The answer is a file, not JSON: the handler returns its text, sent with this type as an attachment of this name. */
  file?: { type: string; name: string };
  handler: (ctx: {
    actor: AuthedActor;
    body: B extends z.ZodType ? z.output<B> : undefined;
    query: Q extends z.ZodType ? z.output<Q> : undefined;
    params: Record<string, string>;
    req: Request;
  }) => Promise<unknown>;
}

const Uuid = z.uuid();

export class RouteRegistry {
  readonly router = Router();
  private readonly specs: Array<RouteSpec<z.ZodType | undefined, z.ZodType | undefined>> = [];

  define<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(spec: RouteSpec<B, Q>): void {
    this.specs.push(spec);
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.params as Record<string, string>)) {
        // A malformed id names nothing: answer as for a missing thing, never with a database error.
        if (!Uuid.safeParse(v).success) {
          throw new AppError('not-found', 'not_found', { id: 'Tidak ditemukan.', en: 'Not found.' }, { [k]: v });
        }
        params[k] = v;
      }
      let body: unknown = undefined;
      if (spec.body) {
        const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
        if (hasBody && !req.is('application/json')) {
          throw new AppError('unsupported-media-type', 'request.unsupported_media_type', {
            id: 'Kirim isi permintaan sebagai application/json.',
            en: 'Send the request body as application/json.',
          });
        }
        const parsed = spec.body.safeParse((req.body as unknown) ?? {});
        if (!parsed.success) throw zodToAppError(parsed.error, 'body');
        body = parsed.data;
      }
      let query: unknown = undefined;
      if (spec.query) {
        const parsed = spec.query.safeParse(req.query);
        if (!parsed.success) throw zodToAppError(parsed.error, 'query');
        query = parsed.data;
      }
      const result = await spec.handler({ actor: actorOf(req), body, query, params, req } as never);
      if (spec.file) {
        // A handler may name its file by what it holds (a report's unit and month); else the route's name stands.
        const named = result instanceof NamedFile ? result : new NamedFile(spec.file.name, result as Buffer | string);
        res.status(spec.status ?? 200).type(spec.file.type).attachment(named.name).set('Cache-Control', 'no-store').send(named.data);
        return;
      }
      res.status(spec.statusOf?.(result) ?? spec.status ?? 200).json(result);
    });
  }

  openApi(info: { title: string; version: string; serverUrl: string }): unknown {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const oaPath = `/api/v1${spec.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      const params = [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string', format: 'uuid' },
      }));
      const queryParams = spec.query ? queryParameters(spec.query) : [];
      paths[oaPath] ??= {};
      paths[oaPath][spec.method] = {
        summary: spec.summary,
        tags: [spec.tag],
        security: [{ bearer: [] }],
        parameters: [...params, ...queryParams],
        ...(spec.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
          : {}),
        responses: {
          [String(spec.status ?? 200)]: { description: spec.responds ?? 'OK' },
          '400': { $ref: '#/components/responses/Error' },
          '401': { $ref: '#/components/responses/Error' },
          '403': { $ref: '#/components/responses/Error' },
          '404': { $ref: '#/components/responses/Error' },
          '409': { $ref: '#/components/responses/Error' },
          '422': { $ref: '#/components/responses/Error' },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        responses: {
          Error: {
            description: 'An error: a stable code, a message in the request language, details',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['error'],
                  properties: {
                    error: {
                      type: 'object',
                      required: ['code', 'message'],
                      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
  }
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

function queryParameters(schema: z.ZodType): unknown[] {
  const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    schema: s,
  }));
}
