import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../api/errors';
import type { Settings } from '../api/settings';
import { QUIT_QUESTION } from './quit';
import { settingsState, started, status } from './shellFakes';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('quitting', () => {
  it('asks, and with Stop stops the engine before it quits', async () => {
    const { daemon, record, entry } = await started(dir, { engine: 'running', electron: { answer: { response: 0, checkboxChecked: false } } });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toEqual([QUIT_QUESTION]);
    expect(QUIT_QUESTION.checkboxLabel).toBe('Remember my answer');
    expect(daemon.called('engine.stop')).toHaveLength(1);
    expect(daemon.called('settings.apply')).toEqual([]);
  });

  it('asks, and with Leave it running quits without touching the engine', async () => {
    const { daemon, record, entry } = await started(dir, { engine: 'running', electron: { answer: { response: 1, checkboxChecked: false } } });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(daemon.called('engine.stop')).toEqual([]);
  });

  it('remembers the answer through settings.apply, all the settings as they were but general.quit', async () => {
    const applied: Settings[] = [];
    const { daemon, record, entry } = await started(dir, {
      engine: 'running',
      electron: { answer: { response: 1, checkboxChecked: true } },
      apply: async ({ settings }, session) => {
        session.send({ step: 'save', label: 'Save the settings', state: 'done' });
        applied.push(settings);
      },
    });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    const before = settingsState().settings;
    expect(applied).toEqual([{ ...before, general: { ...before.general, quit: 'keep' } }]);
    expect(daemon.called('engine.stop')).toEqual([]);
  });

  it('stays when the user cancels, and asks again at the next quit', async () => {
    const { record, entry, electron } = await started(dir, { engine: 'running', electron: { answer: { response: 2, checkboxChecked: true } } });
    entry('Quit').click!();
    await expect.poll(() => record.questions).toHaveLength(1);
    await new Promise((done) => setTimeout(done, 20));
    expect(record.quitted).toBe(false);
    record.answer = { response: 1, checkboxChecked: false };
    electron.app.quit();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toHaveLength(2);
  });

  it('does not ask when an answer was remembered', async () => {
    const stop = await started(dir, { engine: 'running', general: { quit: 'stop' } });
    stop.electron.app.quit();
    await expect.poll(() => stop.record.quitted).toBe(true);
    expect(stop.daemon.called('engine.stop')).toHaveLength(1);
    const keep = await started(dir, { engine: 'running', general: { quit: 'keep' } });
    keep.electron.app.quit();
    await expect.poll(() => keep.record.quitted).toBe(true);
    expect(keep.daemon.called('engine.stop')).toEqual([]);
    expect([...stop.record.questions, ...keep.record.questions]).toEqual([]);
  });

  it('stops the engine without asking when it cannot outlive the app (an AppImage), whatever was remembered', async () => {
    const { daemon, record, entry } = await started(dir, { engine: 'running', general: { quit: 'keep' }, engineEndsWithApp: true });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toEqual([]);
    expect(daemon.called('engine.stop')).toHaveLength(1);
  });

  it('does not ask when the engine is stopped', async () => {
    const { record, daemon, electron } = await started(dir, { engine: 'error' });
    daemon.emit('engine.changed', status('stopped'));
    electron.app.quit();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toEqual([]);
  });

  it('asks once however many times Quit is chosen while the question is open', async () => {
    const { record, electron } = await started(dir, { engine: 'running', electron: { answer: { response: 1, checkboxChecked: false } } });
    electron.app.quit();
    electron.app.quit();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toHaveLength(1);
  });

  it('quits with the answer even when it cannot be remembered, and says so', async () => {
    const { record, daemon, entry } = await started(dir, {
      engine: 'running',
      electron: { answer: { response: 0, checkboxChecked: true } },
      apply: async () => {
        throw new BerthError('SettingsUnwritable', 'settings.json could not be written.', 'Check that the Berth folder is writable.');
      },
    });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(daemon.called('engine.stop')).toHaveLength(1);
    expect(record.errors).toEqual([
      {
        title: 'Berth could not remember your answer',
        content: 'settings.json could not be written.\n\nCheck that the Berth folder is writable.\n\nIt asks again next time; the answer can be set in Settings, General.',
      },
    ]);
  });

  it('quits even when the engine does not stop, saying how to stop it', async () => {
    const { record, entry } = await started(dir, {
      engine: 'running',
      general: { quit: 'stop' },
      calls: {
        'engine.stop': async () => {
          throw new BerthError('GuestUnreachable', 'The VM did not answer.', 'Read the daemon log.');
        },
      },
    });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.errors.map((error) => error.title)).toEqual(['The engine did not stop']);
    expect(record.errors[0]!.content).toContain('`berth stop`');
  });
});
