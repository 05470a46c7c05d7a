import { DOCKER_HUB_SERVER } from '../../../main/api/registry';

export type PresetId = 'hub' | 'ghcr' | 'quay' | 'custom';

export interface Preset {
  id: PresetId;
  label: string;
  /** The name logins to it are filed under; empty for Custom, whose server the user types. */
  server: string;
}

export const PRESETS: readonly Preset[] = [
  { id: 'hub', label: 'Docker Hub', server: DOCKER_HUB_SERVER },
  { id: 'ghcr', label: 'GitHub Container Registry', server: 'ghcr.io' },
  { id: 'quay', label: 'Quay', server: 'quay.io' },
  { id: 'custom', label: 'Custom registry', server: '' },
];

/** The preset a server name is, so the choice follows whatever is typed into Server. */
export function presetOf(server: string): PresetId {
  const name = server.trim().toLowerCase();
  return PRESETS.find((preset) => preset.server !== '' && preset.server === name)?.id ?? 'custom';
}

/** How a login's server reads in a list: a well-known registry by its name, always with the server itself. */
export function registryLabel(server: string): string {
  const id = presetOf(server);
  const preset = PRESETS.find((each) => each.id === id);
  return id === 'custom' || !preset ? server : `${preset.label} (${server})`;
}
