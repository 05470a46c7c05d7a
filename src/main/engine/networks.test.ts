import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { createNetwork, listNetworks, removeNetworks } from './networks';

const refused = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode})`), { statusCode, json: { message } });

function fakeEngine(removal: Error | null = null, creation: Error | null = null) {
  const removed: string[] = [];
  const docker = {
    listNetworks: async () => [
      { Id: 'n2', Name: 'web', Driver: 'bridge', Scope: 'local', Created: '2025-01-01T00:00:00Z', IPAM: { Config: [{ Subnet: '172.30.0.0/16' }, { Subnet: 'fd00::/64' }] } },
      { Id: 'n1', Name: 'bridge', Driver: 'bridge', Scope: 'local', Created: '', IPAM: { Config: [] } },
    ],
    listContainers: async () => [
      { Id: 'c1', Names: ['/api'], NetworkSettings: { Networks: { web: {}, bridge: {} } } },
      { Id: 'c2', Names: ['/db'], NetworkSettings: { Networks: { web: {} } } },
    ],
    getNetwork: (name: string) => ({
      remove: async () => {
        if (removal) throw removal;
        removed.push(name);
      },
    }),
    createNetwork: async () => {
      if (creation) throw creation;
      return { id: 'n3' };
    },
  } as unknown as Docker;
  return { docker, removed };
}

describe('networks', () => {
  it('lists each network with its subnets and attached containers', async () => {
    expect(await listNetworks(fakeEngine().docker)).toEqual([
      { id: 'n1', name: 'bridge', driver: 'bridge', scope: 'local', subnets: [], containers: ['api'], created: null, builtIn: true },
      { id: 'n2', name: 'web', driver: 'bridge', scope: 'local', subnets: ['172.30.0.0/16', 'fd00::/64'], containers: ['api', 'db'], created: '2025-01-01T00:00:00Z', builtIn: false },
    ]);
  });

  it('refuses the built-in networks itself, saying why, and removes the others', async () => {
    const engine = fakeEngine();
    const results = await removeNetworks(engine.docker, ['host', 'web']);
    expect(results[0]).toMatchObject({ name: 'host', error: { name: 'BuiltInNetwork' } });
    expect(results[0]!.error!.message).toContain('cannot be removed');
    expect(results[1]).toEqual({ name: 'web', error: null });
    expect(engine.removed).toEqual(['web']);
  });

  it('explains a network still in use', async () => {
    const engine = fakeEngine(refused(403, 'error while removing network: network web has active endpoints'));
    const [result] = await removeNetworks(engine.docker, ['web']);
    expect(result!.error).toMatchObject({ name: 'NetworkInUse', hint: expect.stringContaining('containers attached') });
  });

  it('explains a taken name or subnet on create', async () => {
    await expect(createNetwork(fakeEngine(null, refused(409, 'network with name web already exists')).docker, { name: 'web', driver: 'bridge' })).rejects.toMatchObject({
      name: 'NetworkExists',
    });
    const overlap = refused(400, 'invalid pool request: Pool overlaps with other one on this address space');
    await expect(createNetwork(fakeEngine(null, overlap).docker, { name: 'x', driver: 'bridge', subnet: '172.17.0.0/16' })).rejects.toMatchObject({ name: 'SubnetTaken' });
    expect(await createNetwork(fakeEngine().docker, { name: 'x', driver: 'bridge' })).toEqual({ id: 'n3', name: 'x' });
  });
});
