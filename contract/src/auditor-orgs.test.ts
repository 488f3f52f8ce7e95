import { AUDITOR_ORGS_ENV, formatAuditorOrgs, parseAuditorOrgs } from './auditor-orgs';

describe('auditor orgs configuration', () => {
  it('reads comma-separated MSP ids, ignoring spaces and repeats; absent or blank means none', () => {
    expect(parseAuditorOrgs('RegulatorMSP')).toEqual(['RegulatorMSP']);
    expect(parseAuditorOrgs(' RegulatorMSP , Other-Org.MSP_2,RegulatorMSP')).toEqual([
      'RegulatorMSP',
      'Other-Org.MSP_2',
    ]);
    expect(parseAuditorOrgs(undefined)).toEqual([]);
    expect(parseAuditorOrgs('')).toEqual([]);
    expect(parseAuditorOrgs('  ')).toEqual([]);
  });

  it('refuses anything that is not an MSP id, naming each bad entry', () => {
    expect(() => parseAuditorOrgs('RegulatorMSP,,HospitalAMSP')).toThrow(
      `${AUDITOR_ORGS_ENV} must be comma-separated MSP ids`,
    );
    expect(() => parseAuditorOrgs('RegulatorMSP;HospitalAMSP')).toThrow('not: "RegulatorMSP;HospitalAMSP"');
    expect(() => parseAuditorOrgs('*')).toThrow('not: "*"');
    expect(() => parseAuditorOrgs(`${'A'.repeat(129)}`)).toThrow(/not: "A+"/);
  });

  it('formats MSP ids as the variable expects', () => {
    expect(formatAuditorOrgs(['RegulatorMSP', 'OtherMSP'])).toBe('RegulatorMSP,OtherMSP');
    expect(parseAuditorOrgs(formatAuditorOrgs(['RegulatorMSP']))).toEqual(['RegulatorMSP']);
    expect(() => formatAuditorOrgs(['Regulator MSP'])).toThrow(AUDITOR_ORGS_ENV);
  });
});
