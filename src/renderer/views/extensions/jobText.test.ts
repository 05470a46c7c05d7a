import { describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../../main/api/extensions';
import { childPath } from './paths';
import { jobStatus, jobTitle, stepState } from './jobText';

const step = (name: string, state: InstallProgress['state']): InstallProgress => ({ step: name, label: `${name[0]!.toUpperCase()}${name.slice(1)}`, state, pull: null });

describe('install progress in words', () => {
  it('names the job by what it does and how it ended', () => {
    expect(jobTitle({ action: 'install', image: 'a/b:1', state: 'running' }, 'a/b:1')).toBe('Installing a/b:1');
    expect(jobTitle({ action: 'install', image: 'a/b:1', state: 'done' }, 'a/b:1')).toBe('Installed a/b:1');
    expect(jobTitle({ action: 'update', image: 'a/b:1', state: 'failed' }, 'B')).toBe('Update of B failed');
  });

  it('says the step under way, and marks the one a failure left running', () => {
    const steps = [step('pull', 'done'), step('unpack', 'running')];
    expect(jobStatus({ state: 'running', steps })).toBe('Unpack…');
    expect(jobStatus({ state: 'running', steps: [] })).toBe('Starting…');
    expect(stepState(steps[1]!, { state: 'failed' })).toBe('failed');
    expect(stepState(steps[0]!, { state: 'failed' })).toBe('done');
  });
});

describe('paths in the file chooser', () => {
  it('joins with the folder’s own separator', () => {
    expect(childPath('/home/ana', 'x.txt')).toBe('/home/ana/x.txt');
    expect(childPath('/', 'etc')).toBe('/etc');
    expect(childPath('C:\\Users\\ana', 'x.txt')).toBe('C:\\Users\\ana\\x.txt');
    expect(childPath('C:\\', 'Users')).toBe('C:\\Users');
  });
});
