import type { ExecChunk, ExtensionContext } from '../main/api/ddClient';
import type { WireError } from '../main/api/errors';

export type { ExecChunk, ExtensionContext, WireError };

/**
 * How the page's client reaches Berth: the `ddClient.*` channels of src/main/api/ddClient.ts, without `key`
 * (the carrier adds it from the page's origin). Failures arrive as plain {name, message, hint} objects.
 */
export interface Transport {
  invoke(channel: string, request: object): Promise<unknown>;
  stream(channel: string, request: object, onChunk: (payload: unknown) => void, onEnd: (error: WireError | null) => void): { cancel(): void };
}

/** What a blocking exec resolves with, or rejects with when the command failed (Docker's ExecResult). */
export interface ExecResult {
  cmd?: string;
  killed?: boolean;
  signal?: string;
  code?: number;
  stdout: string;
  stderr: string;
  lines(): string[];
  parseJsonLines(): unknown[];
  parseJsonObject(): unknown;
}

export type ExecOutput = { stdout: string } | { stderr: string };

export interface ExecStreamOptions {
  onOutput?(data: ExecOutput): void;
  onError?(error: unknown): void;
  onClose?(exitCode: number): void;
  splitOutputLines?: boolean;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
}

export interface SpawnOptions extends ExecOptions {
  stream: ExecStreamOptions;
}

export interface ExecProcess {
  close(): void;
}

export interface Exec {
  (cmd: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
  (cmd: string, args: string[], options: SpawnOptions): ExecProcess;
}

/** Docker's ServiceError: what a backend call rejects with when the answer is not 2xx. */
export interface ServiceError {
  name: string;
  message: string;
  statusCode: number;
}

export interface RequestConfig {
  url: string;
  method: string;
  headers?: Record<string, string>;
  data?: unknown;
}

export interface HttpService {
  get(url: string): Promise<unknown>;
  post(url: string, data: unknown): Promise<unknown>;
  put(url: string, data: unknown): Promise<unknown>;
  patch(url: string, data: unknown): Promise<unknown>;
  delete(url: string): Promise<unknown>;
  head(url: string): Promise<unknown>;
  request(config: RequestConfig): Promise<unknown>;
}

export interface OpenDialogResult {
  canceled: boolean;
  filePaths: string[];
}

export interface NavigationIntents {
  viewContainers(): Promise<void>;
  viewContainer(id: string): Promise<void>;
  viewContainerLogs(id: string): Promise<void>;
  viewContainerInspect(id: string): Promise<void>;
  viewContainerTerminal(id: string): Promise<void>;
  viewContainerStats(id: string): Promise<void>;
  viewImages(): Promise<void>;
  viewImage(id: string, tag: string): Promise<void>;
  viewVolumes(): Promise<void>;
  viewVolume(name: string): Promise<void>;
}

/** The v1 surface of `window.ddClient`. */
export interface DdClientV1 {
  docker: {
    cli: { exec: Exec };
    listContainers(options?: Record<string, unknown>): Promise<unknown>;
    listImages(options?: Record<string, unknown>): Promise<unknown>;
  };
  extension: {
    vm: { cli: { exec: Exec }; service: HttpService };
    host: { cli: { exec: Exec } };
    image: string;
  };
  desktopUI: {
    toast: { success(msg: string): void; warning(msg: string): void; error(msg: string): void };
    dialog: { showOpenDialog(props?: { properties?: string[] }): Promise<OpenDialogResult> };
    navigate: NavigationIntents;
  };
  host: { openExternal(url: string): void; platform: string; arch: string; hostname: string };
}

/** The output callback of v0's spawn functions: `data` is {stdout}, {stderr} or, at the end, {code}. */
export type SpawnCallback = (data: { stdout?: string; stderr?: string; code?: number }, error: unknown) => void;

/** The deprecated v0 surface, which legacy extensions still call. */
export interface DdClientV0 {
  toastSuccess(msg: string): void;
  toastWarning(msg: string): void;
  toastError(msg: string): void;
  listContainers(options?: Record<string, unknown>): Promise<unknown>;
  listImages(options?: Record<string, unknown>): Promise<unknown>;
  execHostCmd(cmd: string): Promise<ExecResult>;
  spawnHostCmd(cmd: string, args: string[], callback: SpawnCallback): void;
  execDockerCmd(cmd: string, ...args: string[]): Promise<ExecResult>;
  spawnDockerCmd(cmd: string, args: string[], callback: SpawnCallback): void;
  navigateToContainers(): Promise<void>;
  navigateToContainer(id: string): Promise<void>;
  navigateToContainerLogs(id: string): Promise<void>;
  navigateToContainerInspect(id: string): Promise<void>;
  navigateToContainerStats(id: string): Promise<void>;
  navigateToImages(): Promise<void>;
  navigateToImage(id: string, tag: string): Promise<void>;
  navigateToVolumes(): Promise<void>;
  navigateToVolume(volume: string): Promise<void>;
  openExternal(url: string): void;
  backend: HttpService & {
    execInContainer(container: string, cmd: string): Promise<ExecResult>;
    execInVMExtension(cmd: string): Promise<ExecResult>;
    spawnInVMExtension(cmd: string, args: string[], callback: SpawnCallback): void;
  };
}

/** Both surfaces on one object, as Docker Desktop gives it (its "v1Hybrid" typings). */
export type DdClient = DdClientV1 & DdClientV0;
