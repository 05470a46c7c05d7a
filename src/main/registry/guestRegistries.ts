import type Docker from 'dockerode';
import type { ApplyProgress, RegistrySettings } from '../api/registry';
import { loadSettings } from '../settings/store';
import type { SshLink } from '../tunnel/link';
import { watchDockerCertificates } from './certsWatch';
import { applyRegistrySettings, registryStep, effectiveRegistrySettings, registryValues, syncCertificates } from './guestSettings';

const sameList = (a: string[], b: string[] | null): boolean => b !== null && a.length === b.length && a.every((entry, index) => entry === b[index]);

/**
 * The registry settings of one running guest: what it was last sent, and the insecure list its dockerd
 * runs with. Writes into the guest go one at a time; the docker CLI's certs.d is followed while it runs.
 */
export class GuestRegistries {
  /** The lines the guest holds in /run/berth/registries; null when unknown (a write failed). */
  private sent: string | null;
  /** The insecure-registries dockerd started with; null when unknown (a restart failed). */
  private engineInsecure: string[] | null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly watch: { stop(): void };
  private stopped = false;

  constructor(
    private readonly link: SshLink,
    private readonly docker: Docker,
    started: RegistrySettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly settingsPath: string,
    private readonly log: (line: string) => void,
  ) {
    this.sent = registryValues(started);
    this.engineInsecure = started.insecure;
    this.watch = watchDockerCertificates(env, () => void this.followDockerCertificates(), log);
    // A file changed between the start reading certs.d and the watch beginning is caught up now.
    void this.followDockerCertificates();
  }

  /** The registry lines the guest holds now (the start's, and every change applied since); null while unknown. */
  get current(): string | null {
    return this.sent;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sends `saved` (with the docker CLI's CA files) to the guest; restarts dockerd only when its insecure list changes. */
  apply(saved: RegistrySettings, progress: (update: ApplyProgress) => void): Promise<void> {
    return this.serially(async () => {
      const effective = effectiveRegistrySettings(saved, this.env, this.log);
      const values = registryValues(effective);
      this.sent = null;
      if (sameList(effective.insecure, this.engineInsecure)) {
        await registryStep('write', progress, () => syncCertificates(this.link, effective));
      } else {
        this.engineInsecure = null;
        await applyRegistrySettings(this.link, effective, progress, this.docker);
        this.engineInsecure = effective.insecure;
      }
      this.sent = values;
    });
  }

  private followDockerCertificates(): Promise<void> {
    return this.serially(async () => {
      if (this.stopped) return;
      const effective = effectiveRegistrySettings(loadSettings(this.settingsPath).registries, this.env, this.log);
      const values = registryValues(effective);
      if (values === this.sent) return;
      this.sent = null;
      await syncCertificates(this.link, effective);
      this.sent = values;
      this.log('registry certificates: the VM has the CA files of DOCKER_CONFIG/certs.d as they are now');
    }).catch((error: Error) => this.log(`registry certificates: ${error.message}`));
  }

  stop(): void {
    this.stopped = true;
    this.watch.stop();
  }
}
