import { InsecureRegistry, PemCertificate, RegistryServer, type RegistrySettings } from '../../../main/api/registry';
import { fieldProblem } from './formProblems';

/** The rows of the settings form; each has a key so a row keeps its inputs when another one is removed. */
export interface CertificateRow {
  key: number;
  server: string;
  ca: string;
}

export interface InsecureRow {
  key: number;
  value: string;
}

export interface SettingsDraft {
  certificates: CertificateRow[];
  insecure: InsecureRow[];
}

export interface SettingsProblems {
  certificates: { server: string | null; ca: string | null }[];
  insecure: (string | null)[];
  /** How many fields have a problem. */
  count: number;
}

/** The contract's limit on each list. */
export const MAX_ROWS = 100;

export function draftOf(settings: RegistrySettings, nextKey: () => number): SettingsDraft {
  return {
    certificates: settings.certificates.map(({ server, ca }) => ({ key: nextKey(), server, ca })),
    insecure: settings.insecure.map((value) => ({ key: nextKey(), value })),
  };
}

// A row left empty (added, then not filled in) means nothing: it is neither a problem nor sent.
const blank = (row: CertificateRow) => !row.server.trim() && !row.ca.trim();

/** Whether the entry at `index` repeats an earlier one; hosts are compared as the engine does, ignoring case. */
const repeats = (names: string[], index: number) => names.indexOf(names[index]!) < index;

export function settingsProblems(draft: SettingsDraft): SettingsProblems {
  const servers = draft.certificates.map((row) => row.server.trim().toLowerCase());
  const certificates = draft.certificates.map((row, index) => {
    if (blank(row)) return { server: null, ca: null };
    const server = row.server.trim()
      ? (fieldProblem(RegistryServer, row.server) ?? (repeats(servers, index) ? 'Another row already holds a CA certificate for this registry.' : null))
      : 'Enter the registry this CA certificate is for, such as registry.example.com:5000.';
    const ca = row.ca.trim() ? fieldProblem(PemCertificate, row.ca) : 'Paste the PEM text of the CA certificate, or load its .crt or .pem file.';
    return { server, ca };
  });
  const entries = draft.insecure.map((row) => row.value.trim().toLowerCase());
  const insecure = draft.insecure.map((row, index) =>
    row.value.trim() ? (fieldProblem(InsecureRegistry, row.value) ?? (repeats(entries, index) ? 'This entry is already listed.' : null)) : null,
  );
  const count = [...certificates.flatMap((row) => [row.server, row.ca]), ...insecure].filter(Boolean).length;
  return { certificates, insecure, count };
}

/** The settings the form says, as 'registry.apply' takes them: trimmed, without empty rows. */
export function settingsOf(draft: SettingsDraft): RegistrySettings {
  return {
    certificates: draft.certificates.filter((row) => !blank(row)).map((row) => ({ server: row.server.trim(), ca: row.ca.trim() })),
    insecure: draft.insecure.map((row) => row.value.trim()).filter(Boolean),
  };
}
