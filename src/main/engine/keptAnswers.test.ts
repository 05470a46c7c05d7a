import { describe, expect, it } from 'vitest';
import { keptAnswer, type KeptAnswers } from './keptAnswers';

const kept: KeptAnswers = {
  ping: { 'api-version': '1.45', ostype: 'linux', 'docker-experimental': 'false' },
  version: '{"Version":"26.1.5"}',
  containers: [
    { Id: 'a', State: 'running' },
    { Id: 'b', State: 'exited' },
    { Id: 'c', State: 'running' },
  ],
  images: '[{"Id":"sha256:1"}]',
  volumes: '{"Volumes":[]}',
  networks: '[{"Name":"bridge"}]',
  plugins: '[{"Name":"berth/volume:latest"}]',
};

const ids = (target: string): string[] => JSON.parse(keptAnswer(kept, 'GET', target)!.body).map((row: { Id: string }) => row.Id);

describe('kept answers', () => {
  it('answers a ping, with or without a body, carrying the API version clients negotiate from', () => {
    const get = keptAnswer(kept, 'GET', '/_ping')!;
    expect(get).toMatchObject({ status: 200, body: 'OK' });
    expect(get.headers['api-version']).toBe('1.45');
    expect(keptAnswer(kept, 'HEAD', '/v1.45/_ping')).toMatchObject({ status: 200, body: '' });
  });

  it('lists the running containers, or all of them, under any API version prefix', () => {
    expect(ids('/v1.45/containers/json')).toEqual(['a', 'c']);
    expect(ids('/containers/json?all=1')).toEqual(['a', 'b', 'c']);
    expect(ids('/v1.41/containers/json?all=true&limit=2')).toEqual(['a', 'b']);
  });

  it('answers the version and the image, volume, network and plugin lists as kept', () => {
    expect(keptAnswer(kept, 'GET', '/v1.45/version')!.body).toBe(kept.version);
    expect(keptAnswer(kept, 'GET', '/images/json')!.body).toBe(kept.images);
    expect(keptAnswer(kept, 'GET', '/volumes')!.body).toBe(kept.volumes);
    expect(keptAnswer(kept, 'GET', '/networks')!.body).toBe(kept.networks);
    expect(keptAnswer(kept, 'GET', '/v1.45/plugins')!.body).toBe(kept.plugins);
  });

  it('leaves to the engine what a kept list cannot say: filters, other methods and endpoints', () => {
    expect(keptAnswer(kept, 'GET', '/containers/json?filters=%7B%22id%22%3A%5B%22a%22%5D%7D')).toBeNull();
    expect(keptAnswer(kept, 'GET', '/volumes?filters={}')).toBeNull();
    expect(keptAnswer(kept, 'POST', '/containers/create')).toBeNull();
    expect(keptAnswer(kept, 'GET', '/containers/a/json')).toBeNull();
    expect(keptAnswer(kept, 'GET', '/events')).toBeNull();
    expect(keptAnswer(kept, 'GET', 'http://[::1')).toBeNull();
  });
});
