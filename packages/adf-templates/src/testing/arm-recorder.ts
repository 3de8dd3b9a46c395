import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the recorder saw it. Headers are not kept: they would hold the bearer token. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query, as sent (case kept). */
  readonly path: string;
  readonly apiVersion: string | undefined;
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** Whether an `Authorization: Bearer …` header came with it. */
  readonly authorized: boolean;
}

export interface ArmReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route of the recorder: return a reply to answer, or undefined to let the next route try. */
export type ArmRoute = (request: RecordedRequest, recorder: ArmRecorder) => ArmReply | undefined;

export interface ArmRecorderOptions {
  /** Extra routes tried before the generic resource store (custom actions such as `/start`). */
  readonly routes?: readonly ArmRoute[];
  /** Bearer token the requests must carry; others get 401. Default: any bearer token. */
  readonly expectToken?: string;
}

interface Failure {
  readonly method: string;
  readonly path: RegExp;
  readonly reply: ArmReply;
  remaining: number;
}

/**
 * A local stand-in for Azure Resource Manager on 127.0.0.1: it records every request and keeps
 * resources in memory, so PUT then GET returns what was written, list returns the children of
 * a collection, DELETE removes. Custom actions are routes; failures can be scheduled. Real SDK
 * clients talk to it through their own pipeline (see `factoryClient` with an `endpoint`).
 */
export class ArmRecorder {
  readonly requests: RecordedRequest[] = [];
  /** Resources by lower-cased path: the stored body (with id, name, type added). */
  readonly resources = new Map<string, { readonly path: string; body: Record<string, unknown> }>();
  private readonly routes: readonly ArmRoute[];
  private readonly failures: Failure[] = [];
  private readonly expectToken: string | undefined;
  private server: Server | undefined;
  private base = "";

  constructor(options: ArmRecorderOptions = {}) {
    this.routes = options.routes ?? [];
    this.expectToken = options.expectToken;
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.base;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Answers the next `times` requests matching method and path with `reply` (e.g. a 500). */
  failNext(method: string, path: RegExp, reply: ArmReply, times = 1): void {
    this.failures.push({ method: method.toUpperCase(), path, reply, remaining: times });
  }

  /** Forgets the recorded requests (not the resources). */
  clearRequests(): void {
    this.requests.length = 0;
  }

  /** `METHOD path` of every recorded request, in order: the easiest thing to assert on. */
  lines(filter: (r: RecordedRequest) => boolean = () => true): string[] {
    return this.requests.filter(filter).map((r) => `${r.method} ${r.path}`);
  }

  /** Requests that change something (PUT, PATCH, POST, DELETE). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
  }

  /** Stores a resource as if it had been PUT (for seeding a factory's existing state). */
  put(path: string, body: unknown): Record<string, unknown> {
    const segments = path.split("/").filter(Boolean);
    const name = segments.at(-1) ?? "";
    const stored = {
      id: path,
      name,
      type: armType(segments),
      etag: `"${(this.resources.size + 1).toString(16).padStart(8, "0")}"`,
      ...(body as Record<string, unknown>),
    };
    this.resources.set(path.toLowerCase(), { path, body: stored });
    return stored;
  }

  get(path: string): Record<string, unknown> | undefined {
    return this.resources.get(path.toLowerCase())?.body;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.base);
    const auth = req.headers.authorization ?? "";
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const request: RecordedRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      path: decodeURIComponent(url.pathname),
      apiVersion: url.searchParams.get("api-version") ?? undefined,
      body,
      authorized:
        auth.startsWith("Bearer ") &&
        (this.expectToken === undefined || auth === `Bearer ${this.expectToken}`),
    };
    this.requests.push(request);
    const reply = this.answer(request);
    const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      "x-ms-request-id": `req-${this.requests.length}`,
      ...reply.headers,
    });
    res.end(payload);
  }

  private answer(r: RecordedRequest): ArmReply {
    if (!r.authorized) return armError(401, "AuthenticationFailed", "missing or wrong bearer token");
    const failure = this.failures.find(
      (f) => f.remaining > 0 && f.method === r.method && f.path.test(r.path),
    );
    if (failure) {
      failure.remaining--;
      return failure.reply;
    }
    for (const route of this.routes) {
      const reply = route(r, this);
      if (reply) return reply;
    }
    const key = r.path.toLowerCase();
    switch (r.method) {
      case "GET": {
        const hit = this.resources.get(key);
        if (hit) return { status: 200, body: hit.body };
        const prefix = `${key}/`;
        const children = [...this.resources.entries()]
          .filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes("/"))
          .map(([, v]) => v.body);
        // A collection path has an even number of segments after the provider's resource.
        if (children.length > 0 || isCollection(r.path)) return { status: 200, body: { value: children } };
        return armError(404, "NotFound", `${r.path} not found`);
      }
      case "PUT": {
        const existed = this.resources.has(key);
        return { status: existed ? 200 : 201, body: this.put(r.path, r.body) };
      }
      case "DELETE":
        return this.resources.delete(key) ? { status: 200 } : { status: 204 };
      default:
        return armError(405, "MethodNotAllowed", `${r.method} ${r.path} has no route`);
    }
  }
}

/** An ARM error reply: `{ error: { code, message } }`. */
export function armError(status: number, code: string, message: string): ArmReply {
  return { status, body: { error: { code, message } } };
}

/** `Microsoft.X/parents/children` from a resource path's segments. */
function armType(segments: string[]): string {
  const p = segments.findIndex((s) => s.toLowerCase() === "providers");
  if (p < 0) return "";
  const rest = segments.slice(p + 1);
  const types = rest.filter((_, i) => i > 0 && i % 2 === 1);
  return [rest[0], ...types].join("/");
}

function isCollection(path: string): boolean {
  const segments = path.split("/").filter(Boolean);
  const p = segments.findIndex((s) => s.toLowerCase() === "providers");
  return p >= 0 && (segments.length - p - 1) % 2 === 0 && segments.length - p - 1 >= 4;
}

/** Starts a recorder; close it in `afterAll`/`afterEach`. */
export async function startArmRecorder(options: ArmRecorderOptions = {}): Promise<ArmRecorder> {
  return new ArmRecorder(options).start();
}
