import { describe, expect, it } from 'vitest';
import { driverNames, pluginSummary, privilegesOf, typesOf } from './list';

// The engine's JSON for a plugin like vieux/sshfs, as GET /plugins lists it.
const sshfs = {
  Id: 'a'.repeat(64),
  Name: 'vieux/sshfs:latest',
  Enabled: true,
  PluginReference: 'docker.io/vieux/sshfs:latest',
  Settings: { Mounts: [], Env: [], Args: [], Devices: [] },
  Config: {
    Description: 'sshFS plugin for Docker',
    Documentation: 'https://docs.docker.com/engine/extend/plugins/',
    Interface: { Socket: 'sshfs.sock', Types: ['docker.volumedriver/1.0'] },
    Entrypoint: ['/docker-volume-sshfs'],
    WorkDir: '',
    Network: { Type: 'host' },
    Linux: { Capabilities: ['CAP_SYS_ADMIN'], AllowAllDevices: false, Devices: [{ Name: '', Description: '', Settable: null, Path: '/dev/fuse' }] },
    PropagatedMount: '/mnt/volumes',
    Mounts: [{ Name: 'state', Description: '', Settable: ['source'], Source: '/var/lib/docker/plugins/', Destination: '/mnt/state', Type: 'bind', Options: ['rbind'] }],
    Env: [],
    Args: { Name: '', Description: '', Settable: null, Value: null },
    rootfs: {},
  },
};

describe('plugins as the engine lists them', () => {
  it('asks for the privileges the engine computes, in its words and order', () => {
    expect(privilegesOf(sshfs.Config)).toEqual([
      { name: 'network', description: 'permissions to access a network', value: ['host'] },
      { name: 'mount', description: 'host path to mount', value: ['/var/lib/docker/plugins/'] },
      { name: 'device', description: 'host device to access', value: ['/dev/fuse'] },
      { name: 'capabilities', description: 'list of additional capabilities required', value: ['CAP_SYS_ADMIN'] },
    ]);
    expect(privilegesOf({ Network: { Type: 'bridge' }, IpcHost: true, PidHost: true, Linux: { AllowAllDevices: true, Capabilities: null, Devices: null }, Mounts: [{ Source: null }] })).toEqual([
      { name: 'host ipc namespace', description: 'allow access to host ipc namespace', value: ['true'] },
      { name: 'host pid namespace', description: 'allow access to host pid namespace', value: ['true'] },
      { name: 'allow-all-devices', description: "allow 'rwm' access to all devices", value: ['true'] },
    ]);
    expect(privilegesOf({})).toEqual([]);
  });

  it('names its types from the interface, known ones first, in either of the engine’s spellings', () => {
    expect(typesOf({ Interface: { Types: ['docker.volumedriver/1.0'] } })).toEqual(['volume']);
    expect(typesOf({ Interface: { Types: ['docker.ipamdriver/1.0', 'docker.networkdriver/1.0', 'docker.metricscollector/1.0'] } })).toEqual(['network', 'ipam', 'metricscollector']);
    expect(typesOf({ Interface: { Types: [{ Prefix: 'docker', Capability: 'authz', Version: '1.0' }, 'docker.logdriver/1.0'] } })).toEqual(['authz', 'log']);
    expect(typesOf({ Interface: null })).toEqual([]);
  });

  it('sums a plugin up: name, repository and tag, where it came from, type, state and privileges', () => {
    expect(pluginSummary(sshfs)).toMatchObject({
      id: sshfs.Id,
      name: 'vieux/sshfs:latest',
      repository: 'vieux/sshfs',
      tag: 'latest',
      reference: 'docker.io/vieux/sshfs:latest',
      description: 'sshFS plugin for Docker',
      types: ['volume'],
      enabled: true,
    });
    const local = pluginSummary({ ...sshfs, Name: 'host.docker.internal:5000/berth/vol:v2', PluginReference: undefined });
    expect(local).toMatchObject({ repository: 'host.docker.internal:5000/berth/vol', tag: 'v2', reference: 'host.docker.internal:5000/berth/vol:v2' });
  });

  it('knows a driver by the plugin’s full name, and without :latest', () => {
    expect(driverNames('vieux/sshfs:latest')).toEqual(['vieux/sshfs:latest', 'vieux/sshfs']);
    expect(driverNames('host.docker.internal:5000/berth/vol:v2')).toEqual(['host.docker.internal:5000/berth/vol:v2']);
  });
});
