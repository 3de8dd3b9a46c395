import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import {
  type DataLakeFileSystemClient,
  DataLakeServiceClient,
  StorageSharedKeyCredential as DfsSharedKeyCredential,
  type PathAccessControlItem,
} from "@azure/storage-file-datalake";
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
  /** The container (ADLS file system) holding the lake. */
  readonly fileSystem: string;
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
  /** Folder for `localPath` downloads. Default `<os tmpdir>/saleslake-lake-cache`. */
  readonly cacheDir?: string;
  /** Size of each staged block of an upload, in bytes. Default `8 MiB`. */
  readonly blockSize?: number;
  /** Blocks uploaded in parallel. Default `4`. */
  readonly concurrency?: number;
}

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
  readonly location: string;
  readonly fileSystem: string;
  private readonly container: ContainerClient;
  private readonly dfs: DataLakeFileSystemClient;
  private readonly cacheDir: string;
  private readonly blockSize: number;
  private readonly concurrency: number;

  constructor(options: AdlsLakeStoreOptions) {
    const accountUrl = options.accountUrl.replace(/\/+$/, "");
    const dfsUrl = (options.dfsUrl ?? accountUrl.replace(".blob.", ".dfs.")).replace(/\/+$/, "");
    this.fileSystem = options.fileSystem;
    const host = new URL(dfsUrl).host;
    this.location = `abfss://${options.fileSystem}@${host}`;
    this.cacheDir = options.cacheDir ?? join(tmpdir(), "saleslake-lake-cache");
    this.blockSize = options.blockSize ?? 8 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 4;
    if (options.sharedKey) {
      const { accountName, accountKey } = options.sharedKey;
      this.container = new BlobServiceClient(
        accountUrl,
        new StorageSharedKeyCredential(accountName, accountKey),
      ).getContainerClient(options.fileSystem);
      this.dfs = new DataLakeServiceClient(
        dfsUrl,
        new DfsSharedKeyCredential(accountName, accountKey),
      ).getFileSystemClient(options.fileSystem);
    } else {
      const credential = options.credential ?? new DefaultAzureCredential();
      this.container = new BlobServiceClient(accountUrl, credential).getContainerClient(options.fileSystem);
      this.dfs = new DataLakeServiceClient(dfsUrl, credential).getFileSystemClient(options.fileSystem);
    }
  }

  /** Maps SDK failures to typed errors; messages carry status and service code, never request headers. */
  private fail(e: unknown, path: string, action: string): never {
    if (e instanceof IngestError) throw e;
    const err = e as RestLikeError;
    const status = err.statusCode;
    const what = `${action} ${this.location}/${path}`;
    if (status === 404 && err.code !== "ContainerNotFound" && err.code !== "FilesystemNotFound") {
      throw new IngestError("NOT_FOUND", `${what}: not found`, "Check the path, or land the data first.", {
        file: path,
        cause: e,
      });
    }
    if (status === 404) {
      throw new IngestError(
        "LAKE_UNAVAILABLE",
        `${what}: container ${this.fileSystem} does not exist`,
        "Create the container (the infra templates do), or fix the lake's file system name.",
        { file: path, cause: e },
      );
    }
    if (
      status === 401 ||
      status === 403 ||
      err.name === "CredentialUnavailableError" ||
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
      await this.container.getBlockBlobClient(path).uploadStream(tap, this.blockSize, this.concurrency);
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

  async get(path: string): Promise<Buffer> {
    assertLakePath(path);
    try {
      return await this.container.getBlobClient(path).downloadToBuffer();
    } catch (e) {
      this.fail(e, path, "read");
    }
  }

  async getStream(path: string): Promise<Readable> {
    assertLakePath(path);
    try {
      // maxRetryRequests: a broken download resumes from where it stopped.
      const r = await this.container.getBlobClient(path).download(0, undefined, { maxRetryRequests: 5 });
      return r.readableStreamBody as Readable;
    } catch (e) {
      this.fail(e, path, "read");
    }
  }

  async exists(path: string): Promise<boolean> {
    assertLakePath(path);
    try {
      return await this.container.getBlobClient(path).exists();
    } catch (e) {
      this.fail(e, path, "check");
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertLakePrefix(prefix);
    const out: string[] = [];
    try {
      for await (const b of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
        // On a hierarchical namespace the Blob endpoint lists directories as empty marker blobs.
        if (b.metadata?.hdi_isfolder === "true") continue;
        out.push(b.name);
      }
    } catch (e) {
      this.fail(e, prefix, "list");
    }
    return out.sort();
  }

  async delete(path: string): Promise<void> {
    assertLakePath(path);
    try {
      await this.container.getBlobClient(path).deleteIfExists();
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
    const blob = this.container.getBlobClient(path);
    const target = join(this.cacheDir, this.fileSystem, path);
    const tagFile = join(dirname(target), `.${basename(target)}.etag`);
    let etag: string;
    try {
      etag = (await blob.getProperties()).etag ?? "";
    } catch (e) {
      this.fail(e, path, "read");
    }
    const cached = await readFile(tagFile, "utf8").catch(() => undefined);
    if (cached === etag && (await stat(target).catch(() => undefined))?.isFile()) return target;
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

  /** Creates a directory (DFS); an existing one is left as it is. */
  async createDirectory(path: string): Promise<void> {
    assertLakePath(path);
    try {
      await this.dfs.getDirectoryClient(path).createIfNotExists();
    } catch (e) {
      this.fail(e, path, "create directory");
    }
  }

  /** Creates the zone folders (`landing/`, `bronze/`, …) so ACLs can be set on them. */
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
    try {
      await this.dfs
        .getDirectoryClient(from)
        .move(to, options.overwrite ? {} : { destinationConditions: { ifNoneMatch: "*" } });
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
      await this.dfs.getDirectoryClient(path).setAccessControl([...acl]);
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
      const r = await this.dfs.getDirectoryClient(path).getAccessControl();
      return { owner: r.owner ?? "", group: r.group ?? "", acl: r.acl };
    } catch (e) {
      this.fail(e, path, "read ACL of");
    }
  }
}
