import { describe, expect, it } from 'vitest';
import { draftOf, settingsOf, settingsProblems, type SettingsDraft } from './settingsDraft';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

function draft(certificates: [string, string][], insecure: string[]): SettingsDraft {
  let key = 0;
  return draftOf({ certificates: certificates.map(([server, ca]) => ({ server, ca })), insecure }, () => ++key);
}

describe('registry settings form', () => {
  it('sends trimmed values and leaves empty rows out', () => {
    const form = draft([[' registry.local:5000 ', `\n${PEM}\n`], ['', '  ']], [' 10.0.2.2/32 ', '', 'registry.local:5000']);
    expect(settingsProblems(form).count).toBe(0);
    expect(settingsOf(form)).toEqual({ certificates: [{ server: 'registry.local:5000', ca: PEM }], insecure: ['10.0.2.2/32', 'registry.local:5000'] });
  });

  it('marks each wrong field by its row', () => {
    const problems = settingsProblems(draft([['https://registry.local', 'not a certificate'], ['', PEM]], ['ok.local', 'bad host!']));
    expect(problems.certificates[0]!.server).toMatch(/^Expected a registry host/);
    expect(problems.certificates[0]!.ca).toMatch(/^Expected a PEM certificate/);
    expect(problems.certificates[1]).toEqual({ server: expect.stringMatching(/^Enter the registry/), ca: null });
    expect(problems.insecure).toEqual([null, expect.stringMatching(/or a CIDR/)]);
    expect(problems.count).toBe(4);
  });

  it('catches a registry listed twice, ignoring case', () => {
    const problems = settingsProblems(draft([['Registry.local', PEM], ['registry.local', PEM]], ['10.0.0.0/8', '10.0.0.0/8']));
    expect(problems.certificates.map((row) => row.server)).toEqual([null, expect.stringMatching(/Another row/)]);
    expect(problems.insecure).toEqual([null, expect.stringMatching(/already listed/)]);
  });
});
