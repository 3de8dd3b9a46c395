import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

/**
 * Azurite's built-in development account. Its key is published in the Azure documentation and
 * works only against the emulator: a test-only credential, never used outside tests.
 */
export const AZURITE_ACCOUNT = {
  accountName: "devstoreaccount1",
  accountKey: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
} as const;

function azuriteBlobMain(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve("azurite/package.json");
    const main = join(dirname(pkg), "dist", "src", "blob", "main.js");
    if (existsSync(main)) return main;
  } catch {
    // reported below
  }
  throw new Error(
    "Azurite is not installed: run `pnpm install` in the repository (it is a devDependency of @saleslake/ingest), or set SALESLAKE_SKIP_AZURITE=1 to skip the tests that need it",
  );
}

/**
 * Azurite's Blob service on 127.0.0.1, telemetry off, as a child process. In memory (bounded to
 * 1 GiB) by default; with `location`, its data is kept in that folder, so an emulator killed and
 * started again serves what was committed before (it starts on the same port after the first time).
 */
export class Azurite {
  readonly location: string | undefined;
  /**
   * Serve HTTPS with this certificate (PEM) and take bearer tokens as well as the account key
   * (Azurite's `--oauth basic`: a token's issuer, audience and lifetime are checked, not its
   * signature), as a storage account reached with Microsoft Entra ID is.
   */
  readonly tls: { readonly key: string; readonly cert: string } | undefined;
  port = 0;
  private child: ChildProcess | undefined;
  private scratch: string | undefined;
  private tlsFolder: string | undefined;

  constructor(options: { readonly location?: string; readonly tls?: { key: string; cert: string } } = {}) {
    this.location = options.location;
    this.tls = options.tls;
  }

  /** Blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1` (`https` with `tls`). */
  get blobUrl(): string {
    return `${this.tls ? "https" : "http"}://127.0.0.1:${this.port}/${AZURITE_ACCOUNT.accountName}`;
  }

  /** Starts the emulator and waits until it listens (at most 30 s). */
  async start(): Promise<this> {
    const main = azuriteBlobMain();
    this.scratch ??= this.location ? undefined : mkdtempSync(join(tmpdir(), "saleslake-azurite-"));
    const storage = this.location
      ? ["--location", this.location]
      : ["--inMemoryPersistence", "--extentMemoryLimit", "1024"];
    const secure: string[] = [];
    if (this.tls) {
      // Started again after a kill, the emulator reuses the folder of its first start.
      this.tlsFolder ??= mkdtempSync(join(tmpdir(), "saleslake-azurite-tls-"));
      const folder = this.tlsFolder;
      writeFileSync(join(folder, "cert.pem"), this.tls.cert);
      writeFileSync(join(folder, "key.pem"), this.tls.key, { mode: 0o600 });
      secure.push("--cert", join(folder, "cert.pem"), "--key", join(folder, "key.pem"), "--oauth", "basic");
    }
    const child = spawn(
      process.execPath,
      [
        main,
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(this.port),
        ...storage,
        ...secure,
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
      ],
      { cwd: this.location ?? this.scratch, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let output = "";
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`Azurite did not start within 30 s:\n${output}`));
      }, 30_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /listens on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (${code ?? signal}):\n${output}`));
      });
    });
    return this;
  }

  /** SIGKILL: the emulator dies with requests in flight, as a crashed or unplugged server would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  /** Stops the emulator (SIGTERM, then SIGKILL after 5 s) and removes its scratch folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    for (const folder of [this.scratch, this.tlsFolder])
      if (folder) rmSync(folder, { recursive: true, force: true });
    this.scratch = undefined;
    this.tlsFolder = undefined;
  }

  /**
   * An access token as Microsoft Entra ID issues one for Azure Storage, unsigned: what an emulator
   * started with `tls` takes in Azurite's basic check (issuer, audience, lifetime), for an
   * identity endpoint (`IdentityEndpoint`) to hand out.
   */
  static storageToken(lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return [
      part({ alg: "RS256", typ: "JWT" }),
      part({
        aud: "https://storage.azure.com",
        iss: "https://sts.windows.net/00000000-0000-0000-0000-00000000a2a2/",
        nbf: now - 60,
        iat: now - 60,
        exp: now + lifetimeSeconds,
        oid: "00000000-0000-0000-0000-00000000b3b3",
      }),
      "unsigned",
    ].join(".");
  }

  /** A Blob service client with the development account's key. */
  serviceClient(): BlobServiceClient {
    return new BlobServiceClient(
      this.blobUrl,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT.accountName, AZURITE_ACCOUNT.accountKey),
    );
  }
}
