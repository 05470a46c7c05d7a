export const FOREIGN_ARCHES: Record<'arm64' | 'armhf', string>;
export function foreignBusyboxDeb(arch: string, env?: NodeJS.ProcessEnv): string;
export function ensureForeignBusybox(env?: NodeJS.ProcessEnv): void;
