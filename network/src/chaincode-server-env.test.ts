import { AUDITOR_ORGS_ENV, parseAuditorOrgs } from '@aal/ledger-contract';
import { chaincodeServerEnv } from './chaincode-server-env';
import { PEER_ORGS, REGULATOR } from './topology';

describe('chaincode server environment', () => {
  it("names the regulator as the only auditor org on every org's server, whatever the operator's environment says", () => {
    for (const org of PEER_ORGS) {
      const env = chaincodeServerEnv(org, { PATH: '/usr/bin', [AUDITOR_ORGS_ENV]: 'HospitalAMSP' });
      expect(parseAuditorOrgs(env[AUDITOR_ORGS_ENV])).toEqual([REGULATOR.mspId]);
      expect(env.CORE_PEER_LOCALMSPID).toBe(org.mspId);
      expect(env.PATH).toBe('/usr/bin');
    }
  });
});
