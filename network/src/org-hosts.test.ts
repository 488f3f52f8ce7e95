import { parseOrgHosts } from './org-hosts';

describe('parseOrgHosts', () => {
  it('reads slug=address pairs, IPv4 addresses and host names', () => {
    expect(parseOrgHosts(' hospital-a=10.77.0.2, regulator=regulator.example ,orderer-org=127.0.1.5')).toEqual({
      'hospital-a': '10.77.0.2',
      regulator: 'regulator.example',
      'orderer-org': '127.0.1.5',
    });
  });

  it('is undefined when unset or empty: every org on 127.0.0.1', () => {
    expect(parseOrgHosts(undefined)).toBeUndefined();
    expect(parseOrgHosts('  ')).toBeUndefined();
  });

  it.each([
    ['hospital-a', "'hospital-a' is not <org slug>=<address>"],
    ['hospital-a=1.2.3.4=5', "'hospital-a=1.2.3.4=5' is not <org slug>=<address>"],
    ['hospital-z=10.0.0.1', "unknown organisation 'hospital-z'"],
    ['hospital-a=10.0.0.1,hospital-a=10.0.0.2', "'hospital-a' is named twice"],
    ['hospital-a=0.0.0.0', '0.0.0.0 would listen on every interface'],
    ['hospital-a=10.0.0.256', "'10.0.0.256' is not an IPv4 address or a host name"],
    ['hospital-a=::1', "'::1' is not an IPv4 address or a host name"],
    ['hospital-a=bad_host', "'bad_host' is not an IPv4 address or a host name"],
  ])('refuses %j', (value, message) => {
    expect(() => parseOrgHosts(value)).toThrow(message);
  });

  it('knows an org that joins later only when told its slug', () => {
    expect(parseOrgHosts('hospital-a=10.0.0.1,hospital-c=10.0.0.9', ['hospital-c'])).toEqual({
      'hospital-a': '10.0.0.1',
      'hospital-c': '10.0.0.9',
    });
    expect(() => parseOrgHosts('hospital-c=10.0.0.9')).toThrow("unknown organisation 'hospital-c'");
  });
});
