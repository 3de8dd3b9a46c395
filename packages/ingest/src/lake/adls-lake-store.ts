import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TokenCredential } from "@azure/identity";
import type { BlobServiceClient } from "@azure/storage-blob";
import type { DataLakeServiceClient, PathAccessControlItem } from "@azure/storage-file-datalake";
import { LAKE_ZONES } from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import { hashingTap } from "./hashing-tap.ts";
import {
  assertLakePath,
  assertLakePrefix,
  type LakeStore,
  type PutBody,
  type PutResult,
} from "./lake-store.ts";

export interface AdlsLakeStoreOptions {
  /** Blob endpoint of the storage account, e.g. `https://salesprod.blob.core.windows.net`. */
  readonly accountUrl: string;
  /**
   * The container (ADLS file system) holding every zone as a top folder. Omit it for the layout
   * the infra templates create, one container per zone: `landing/<entity>/…` is then the blob
   * `<entity>/…` of the container `landing`.
   */
  readonly fileSystem?: string;
  /**
   * Who we are. Default `new DefaultAzureCredential()`: managed identity in Azure, `az login` on a
   * workstation. Needs the Storage Blob Data Contributor role on the container.
   */
  readonly credential?: TokenCredential;
  /**
   * Account-key access, for storage emulators (Azurite) only; never put a real account key in
   * code or config. Used instead of `credential` when given. Default: none.
   */
  readonly sharedKey?: { readonly accountName: string; readonly accountKey: string };
  /** DFS endpoint, for directory, rename and ACL operations. Default: `accountUrl` with `.blob.` replaced by `.dfs.`. */
  readonly dfsUrl?: string;
  /**
   * Folder for `localPath` downloads. Default the user's own cache folder,
   * `$XDG_CACHE_HOME/saleslake/lake-cache` (`~/.cache/saleslake/lake-cache`), made readable by
   * the user alone: a folder other users can write to could hand the engine files of theirs.
   */
  readonly cacheDir?: string;
  /** Size of each staged block of an upload, in bytes. Default `8 MiB`. */
  readonly blockSize?: number;
  /** Blocks uploaded in parallel. Default `4`. */
  readonly concurrency?: number;
}

interface Clients {
  readonly blob: BlobServiceClient;
  readonly dfs: DataLakeServiceClient;
}

/** The file-system placeholder of the per-zone layout, as in the notebooks' `lake_root` template. */
const ZONE_TEMPLATE = "{zone}";

interface RestLikeError {
  statusCode?: number;
  code?: string;
  name?: string;
  message?: string;
}

/**
 * ADLS Gen2. Data goes through the Blob endpoint (which ADLS Gen2 accounts serve): an upload
 * stages blocks and commits the list at the end, so a killed upload leaves nothing visible.
 * Directories, atomic rename and ACLs exist only on the DFS endpoint and use the Data Lake SDK.
 */
export class AdlsLakeStore implements LakeStore {
  readonly kind = "adls" as const;
  /** `abfss://<file system>@<host>`, or `abfss://{zone}@<host>` with a container per zone. */
  readonly location: string;
  /** The single file system, or `{zone}` with a container per zone (the `lake_root` template). */
  readonly fileSystem: string;
  /** The folder `localPath` mirrors the lake into, in the lake's layout (`<zone>/<entity>/…`). */
  readonly localRoot: string;
  private readonly single: boolean;
  private readonly connect: () => Promise<Clients>;
  private clients?: Promise<Clients>;
  private readonly cacheDir: string;
  private readonly blockSize: number;
  private readonly concurrency: number;

  constructor(options: AdlsLakeStoreOptions) {
    const accountUrl = options.accountUrl.replace(/\/+$/, "");
    const dfsUrl = (options.dfsUrl ?? accountUrl.replace(".blob.", ".dfs.")).replace(/\/+$/, "");
    this.single = options.fileSystem !== undefined;
    this.fileSystem = options.fileSystem ?? ZONE_TEMPLATE;
    const host = new URL(dfsUrl).host;
    this.location = `abfss://${this.fileSystem}@${host}`;
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.localRoot = join(
      this.cacheDir,
      options.fileSystem ?? `zones@${host.replace(/[^A-Za-z0-9.-]/g, "_")}`,
    );
    this.blockSize = options.blockSize ?? 8 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 4;
    // The SDKs are loaded when the store is first used: a command that never touches ADLS
    // (most of them, on a local lake) does not pay for loading them.
    this.connect = async () => {
      const [blobSdk, dfsSdk] = await Promise.all([
        import("@azure/storage-blob"),
        import("@azure/storage-file-datalake"),
      ]);
      if (options.sharedKey) {
        const { accountName, accountKey } = options.sharedKey;
        return {
          blob: new blobSdk.BlobServiceClient(
            accountUrl,
            new blobSdk.StorageSharedKeyCredential(accountName, accountKey),
          ),
          dfs: new dfsSdk.DataLakeServiceClient(
            dfsUrl,
            new dfsSdk.StorageSharedKeyCredential(accountName, accountKey),
          ),
        };
      }
      const credential = options.credential ?? new (await import("@azure/identity")).DefaultAzureCredential();
      return {
        blob: new blobSdk.BlobServiceClient(accountUrl, credential),
        dfs: new dfsSdk.DataLakeServiceClient(dfsUrl, credential),
      };
    };
  }

  /** The `abfss://` URL of a lake path, as Spark and Data Factory name it. */
  url(path: string): string {
    const { container, name } = this.at(path);
    return `abfss://${container}@${new URL(this.location).host}/${name}`;
  }

  private service(): Promise<Clients> {
    this.clients ??= this.connect();
    return this.clients;
  }

  /** The container and the name inside it of a lake path. */
  private at(path: string): { readonly container: string; readonly name: string } {
    if (this.single) return { container: this.fileSystem, name: path };
    const slash = path.indexOf("/");
    const zone = slash < 0 ? path : path.slice(0, slash);
    if (!(LAKE_ZONES as readonly string[]).includes(zone))
      throw new IngestError(
        "UNSAFE_PATH",
        `${path}: the lake keeps a container per zone, and ${zone} is not a zone (${LAKE_ZONES.join(", ")})`,
        "Start lake paths with a zone folder, or give the store one fileSystem holding every zone.",
        { file: path },
      );
    return { container: zone, name: slash < 0 ? "" : path.slice(slash + 1) };
  }

  private async blob(path: string) {
    const { container, name } = this.at(path);
    return (await this.service()).blob.getContainerClient(container).getBlockBlobClient(name);
  }

  private async directory(path: string) {
    const { container, name } = this.at(path);
    return (await this.service()).dfs.getFileSystemClient(container).getDirectoryClient(name);
  }

  /** Maps SDK failures to typed errors; messages carry status and service code, never request headers. */
  private fail(e: unknown, path: string, action: string): never {
    if (e instanceof IngestError) throw e;
    const err = e as RestLikeError;
    const status = err.statusCode;
    let where = `${this.location}/${path}`;
    try {
      where = this.url(path);
    } catch {
      // not a zone path: named as given
    }
    const what = `${action} ${where}`;
    if (status === 404 && err.code !== "ContainerNotFound" && err.code !== "FilesystemNotFound") {
      throw new IngestError("NOT_FOUND", `${what}: not found`, "Check the path, or land the data first.", {
        file: path,
        cause: e,
      });
    }
    if (status === 404) {
      throw new IngestError(
        "LAKE_UNAVAILABLE",
        `${what}: container ${this.at(path).container} does not exist`,
        "Create the container (the infra templates do), or fix the lake's file system name.",
        { file: path, cause: e },
      );
    }
    if (
      status === 401 ||
      status === 403 ||
      err.name === "CredentialUnavailableError" ||
      err.name === "AggregateAuthenticationError" ||
      err.name === "AuthenticationError"
    ) {
      throw new IngestError(
        "LAKE_ACCESS_DENIED",
        `${what}: access denied${status ? ` (HTTP ${status}${err.code ? ` ${err.code}` : ""})` : ` (${err.name})`}`,
        "Sign in (az login) or use a managed identity that holds Storage Blob Data Contributor on the container.",
        { file: path, cause: e },
      );
    }
    throw new IngestError(
      "LAKE_UNAVAILABLE",
      `${what} failed${status ? ` (HTTP ${status}${err.code ? ` ${err.code}` : ""})` : `: ${err.message ?? String(e)}`}`,
      "Check the account URL and network access to the storage account, then retry.",
      { file: path, cause: e },
    );
  }

  async put(path: string, body: PutBody): Promise<PutResult> {
    assertLakePath(path);
    const { tap, result } = hashingTap();
    const source =
      body instanceof Uint8Array
        ? Readable.from([body])
        : body instanceof Readable
          ? body
          : Readable.from(body);
    const feeding = pipeline(source, tap);
    feeding.catch(() => {}); // awaited below; this only keeps an early rejection from going unhandled
    try {
      await (await this.blob(path)).uploadStream(tap, this.blockSize, this.concurrency);
      await feeding;
    } catch (e) {
      tap.destroy();
      // A failing source (unreadable file, a record iterator that threw) is the error to report.
      const sourceError = await feeding.then(
        () => undefined,
        (err: unknown) => err,
      );
      if (sourceError && (sourceError as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE")
        throw sourceError;
      this.fail(e, path, "upload to");
    }
    return result();
  }

  async putIfAbsent(path: string, body: Uint8Array): Promise<boolean> {
    assertLakePath(path);
    try {
      // If-None-Match: * makes the service refuse the write where a blob is (409 BlobAlreadyExists).
      await (await this.blob(path)).upload(body, body.byteLength, { conditions: { ifNoneMatch: "*" } });
      return true;
    } catch (e) {
      const status = (e as RestLikeError).statusCode;
      if (status === 409 || status === 412) return false;
      this.fail(e, path, "upload to");
    }
  }

  async get(path: string): Promise<Buffer> {
    assertLakePath(path);
    try {
      return await (await this.blob(path)).downloadToBuffer();
    } catch (e) {
      this.fail(e, path, "read");
    }
  }

  async getStream(path: string): Promise<Readable> {
    assertLakePath(path);
    try {
      // maxRetryRequests: a broken download resumes from where it stopped.
      const r = await (await this.blob(path)).download(0, undefined, { maxRetryRequests: 5 });
      return r.readableStreamBody as Readable;
    } catch (e) {
      this.fail(e, path, "read");
    }
  }

  async exists(path: string): Promise<boolean> {
    assertLakePath(path);
    try {
      return await (await this.blob(path)).exists();
    } catch (e) {
      this.fail(e, path, "check");
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertLakePrefix(prefix);
    const out: string[] = [];
    // One listing per container the prefix can reach: the file system, the prefix's zone, or every zone.
    const scopes = this.single
      ? [{ container: this.fileSystem, inner: prefix, outer: "" }]
      : prefix === ""
        ? LAKE_ZONES.map((z) => ({ container: z, inner: "", outer: `${z}/` }))
        : prefix.includes("/")
          ? [this.at(prefix)].map(({ container, name }) => ({
              container,
              inner: name,
              outer: `${container}/`,
            }))
          : LAKE_ZONES.filter((z) => z.startsWith(prefix)).map((z) => ({
              container: z,
              inner: "",
              outer: `${z}/`,
            }));
    for (const scope of scopes) {
      try {
        const container = (await this.service()).blob.getContainerClient(scope.container);
        for await (const b of container.listBlobsFlat({ prefix: scope.inner, includeMetadata: true })) {
          // On a hierarchical namespace the Blob endpoint lists directories as empty marker blobs.
          if (b.metadata?.hdi_isfolder === "true") continue;
          out.push(scope.outer + b.name);
        }
      } catch (e) {
        // A zone whose container was never created holds nothing, when listing every zone.
        if (!this.single && prefix === "" && (e as RestLikeError).statusCode === 404) continue;
        this.fail(e, prefix, "list");
      }
    }
    return out.sort();
  }

  async delete(path: string): Promise<void> {
    assertLakePath(path);
    try {
      await (await this.blob(path)).deleteIfExists();
    } catch (e) {
      this.fail(e, path, "delete");
    }
  }

  /**
   * Downloads to `<cacheDir>/<file system>/<path>` (the lake's layout, so lineage paths read
   * the same) and reuses the copy while the object's ETag is unchanged.
   */
  async localPath(path: string): Promise<string> {
    assertLakePath(path);
    const blob = await this.blob(path);
    const target = join(this.localRoot, path);
    const tagFile = join(dirname(target), `.${basename(target)}.etag`);
    let etag: string;
    try {
      etag = (await blob.getProperties()).etag ?? "";
    } catch (e) {
      this.fail(e, path, "read");
    }
    const cached = await readFile(tagFile, "utf8").catch(() => undefined);
    if (cached === etag && (await stat(target).catch(() => undefined))?.isFile()) return target;
    await mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.tmp-${basename(target)}-${randomBytes(6).toString("hex")}`);
    try {
      await blob.downloadToFile(tmp, 0, undefined, { conditions: { ifMatch: etag }, maxRetryRequests: 5 });
      await rename(tmp, target);
      await writeFile(tagFile, etag);
    } catch (e) {
      await rm(tmp, { force: true });
      this.fail(e, path, "download");
    }
    return target;
  }

  /** Creates a directory (DFS); an existing one is left as it is. A zone's own container is created (Blob). */
  async createDirectory(path: string): Promise<void> {
    assertLakePath(path);
    try {
      const { container, name } = this.at(path);
      if (name === "") {
        await (await this.service()).blob.getContainerClient(container).createIfNotExists();
        return;
      }
      await (await this.directory(path)).createIfNotExists();
    } catch (e) {
      this.fail(e, path, "create directory");
    }
  }

  /** Creates the zone folders (`landing/`, `bronze/`, …) so ACLs can be set on them, or with a container per zone the containers. */
  async ensureZones(zones: readonly string[] = LAKE_ZONES): Promise<void> {
    for (const z of zones) await this.createDirectory(z);
  }

  /**
   * Renames a file or directory in one atomic DFS operation. Refuses to replace an existing
   * target unless `overwrite`. Default `overwrite: false`.
   */
  async rename(from: string, to: string, options: { readonly overwrite?: boolean } = {}): Promise<void> {
    assertLakePath(from);
    assertLakePath(to);
    const container = this.at(from).container;
    if (container !== this.at(to).container)
      throw new IngestError(
        "UNSAFE_PATH",
        `rename ${from} → ${to}: a rename stays inside one container (${container})`,
        "Copy across zones instead of renaming.",
        { file: to },
      );
    try {
      await (await this.directory(from)).move(
        to,
        options.overwrite ? {} : { destinationConditions: { ifNoneMatch: "*" } },
      );
    } catch (e) {
      if ((e as RestLikeError).statusCode === 409) {
        throw new IngestError(
          "LAKE_UNAVAILABLE",
          `rename ${this.location}/${from} → ${to}: the target already exists`,
          "Pick another name, or pass overwrite: true.",
          { file: to, cause: e },
        );
      }
      this.fail(e, from, "rename");
    }
  }

  /** Sets the POSIX ACL of a path (DFS), e.g. read for a reader group on `gold/`. */
  async setAccessControl(path: string, acl: readonly PathAccessControlItem[]): Promise<void> {
    assertLakePath(path);
    try {
      await (await this.directory(path)).setAccessControl([...acl]);
    } catch (e) {
      this.fail(e, path, "set ACL on");
    }
  }

  /** The POSIX ACL, owner and group of a path (DFS). */
  async getAccessControl(
    path: string,
  ): Promise<{ owner: string; group: string; acl: PathAccessControlItem[] }> {
    assertLakePath(path);
    try {
      const r = await (await this.directory(path)).getAccessControl();
      return { owner: r.owner ?? "", group: r.group ?? "", acl: r.acl };
    } catch (e) {
      this.fail(e, path, "read ACL of");
    }
  }
}

/** The user's cache folder for lake downloads (see `AdlsLakeStoreOptions.cacheDir`). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "saleslake", "lake-cache");
}
