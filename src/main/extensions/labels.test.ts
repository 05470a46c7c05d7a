import { describe, expect, it } from 'vitest';
import { API_VERSION, checkPlatform, readLabels } from './labels';

const required = {
  'org.opencontainers.image.title': 'My Extension',
  'org.opencontainers.image.description': 'Does things',
  'org.opencontainers.image.vendor': 'Someone',
  [API_VERSION]: '>= 0.2.3',
};

describe('extension labels', () => {
  it('reads the required labels and the Marketplace extras', () => {
    const labels = readLabels(
      {
        ...required,
        'com.docker.extension.screenshots': '[{"alt":"one","url":"https://example.com/1.png"},{"broken":true}]',
        'com.docker.extension.additional-urls': 'not json',
        'com.docker.extension.categories': 'utility-tools, security,',
        'com.docker.extension.publisher-url': 'https://example.com',
      },
      'team/ext:1',
    );
    expect(labels).toEqual({
      title: 'My Extension',
      description: 'Does things',
      vendor: 'Someone',
      apiVersion: '>= 0.2.3',
      detailedDescription: '',
      changelog: '',
      publisherUrl: 'https://example.com',
      screenshots: [{ alt: 'one', url: 'https://example.com/1.png' }],
      additionalUrls: [],
      categories: ['utility-tools', 'security'],
    });
  });

  it('refuses an image with no extension labels, naming them', () => {
    expect(() => readLabels({ maintainer: 'x' }, 'busybox:1')).toThrow(
      expect.objectContaining({ name: 'NotAnExtension', message: expect.stringContaining('com.docker.desktop.extension.api.version') }),
    );
    expect(() => readLabels(null, 'busybox:1')).toThrow(/not a Docker extension/);
  });

  it('names the one label that is missing', () => {
    const { 'org.opencontainers.image.vendor': _vendor, ...rest } = required;
    expect(() => readLabels(rest, 'team/ext:1')).toThrow('team/ext:1 lacks the extension label org.opencontainers.image.vendor.');
  });

  const accepted = ['0.3.4', '0.2.0', '0.3', '>= 0.2.3', '>=0.2.3', '>= 0.2.0, < 1.0', '^0.3.0', 'v0.1.0', '>= 0.0.1'];
  for (const version of accepted) {
    it(`accepts the API version ${version}`, () => {
      expect(() => readLabels({ ...required, [API_VERSION]: version }, 'team/ext:1')).not.toThrow();
    });
  }

  const refused = ['>= 1.0.0', '>= 9.0.0', '0.4.0', '1.0.0', '>= 1.4.7, < 2.0', '< 0.3.0'];
  for (const version of refused) {
    it(`refuses the API version ${version}, saying which one Berth implements`, () => {
      expect(() => readLabels({ ...required, [API_VERSION]: version }, 'team/ext:1')).toThrow(
        expect.objectContaining({ name: 'ExtensionApiVersionUnsupported', message: `team/ext:1 needs extension API ${version}; Berth implements version 0.3.4.` }),
      );
    });
  }

  it('refuses an API version that is not a version', () => {
    expect(() => readLabels({ ...required, [API_VERSION]: 'latest' }, 'team/ext:1')).toThrow(expect.objectContaining({ name: 'ExtensionApiVersionInvalid' }));
  });

  it('wants a Linux image of this computer’s architecture', () => {
    expect(() => checkPlatform('linux', 'amd64', 'team/ext:1', 'x64')).not.toThrow();
    expect(() => checkPlatform('linux', 'arm64', 'team/ext:1', 'arm64')).not.toThrow();
    expect(() => checkPlatform('linux', 'arm64', 'team/ext:1', 'x64')).toThrow('team/ext:1 is built for linux/arm64; this computer runs linux/amd64 images.');
    expect(() => checkPlatform('windows', 'amd64', 'team/ext:1', 'x64')).toThrow(expect.objectContaining({ name: 'ExtensionPlatformMismatch' }));
  });
});
