import type Docker from 'dockerode';
import type { CallName, StreamName } from '../api/contract';
import type { Handlers } from '../api/dispatch';
import type { StreamHandlers } from '../api/streams';
import { registryOfText } from '../engine/images/transfer';
import { installPlugin, readPrivileges, upgradePlugin } from '../engine/plugins/install';
import { listPlugins, pluginUsers } from '../engine/plugins/list';
import { disablePlugin, enablePlugin, removePlugin } from '../engine/plugins/manage';
import { credentialsFor } from '../registry/logins';

type Prefixed = `plugins.${string}`;
export type PluginCalls = Pick<Handlers, Extract<CallName, Prefixed>>;
export type PluginStreams = Pick<StreamHandlers, Extract<StreamName, Prefixed>>;

export interface PluginServices {
  /** The Engine API, failing with a hint while the engine is not running. */
  engine: { docker(): Docker };
  env: NodeJS.ProcessEnv;
  log(line: string): void;
}

/** The Plugins view's channels: the engine's managed plugins, installed with the privileges the user granted. */
export function pluginChannels({ engine, env, log }: PluginServices): { calls: PluginCalls; streams: PluginStreams } {
  /** The stored sign-in for the registry `reference` names: what `docker plugin install` in a terminal would send. */
  const signedInFor = (reference: string) => credentialsFor(env, registryOfText(reference));
  return {
    calls: {
      'plugins.list': async () => ({ plugins: await listPlugins(engine.docker()) }),
      'plugins.privileges': async ({ reference }) => ({ privileges: await readPrivileges(engine.docker(), reference, await signedInFor(reference)) }),
      'plugins.enable': async ({ name }) => {
        await enablePlugin(engine.docker(), name);
        return {};
      },
      'plugins.disable': async ({ name }) => {
        await disablePlugin(engine.docker(), name);
        return {};
      },
      'plugins.remove': async ({ name, force }) => {
        await removePlugin(engine.docker(), name, force);
        log(`plugin ${name} removed${force ? ' by force' : ''}`);
        return {};
      },
      'plugins.users': ({ name }) => pluginUsers(engine.docker(), name),
    },
    streams: {
      'plugins.install': async ({ reference, privileges, enable }, session) => {
        const granted = privileges.map((privilege) => `${privilege.name}=${privilege.value.join(',')}`).join('; ') || 'none';
        const auth = await signedInFor(reference);
        const name = await installPlugin(engine.docker(), { reference, privileges, auth, signal: session.signal, send: session.send }, enable);
        log(`plugin ${name} installed from ${reference} with the privileges granted: ${granted}`);
      },
      'plugins.upgrade': async ({ name, reference, privileges }, session) => {
        const auth = await signedInFor(reference);
        await upgradePlugin(engine.docker(), name, { reference, privileges, auth, signal: session.signal, send: session.send });
        log(`plugin ${name} upgraded to ${reference}`);
      },
    },
  };
}
