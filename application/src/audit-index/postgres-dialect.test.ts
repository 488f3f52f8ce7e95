import { postgresConnection, wholeNumber } from './postgres-dialect';
import { describeLocation } from './store-location';

describe('PostgreSQL connection settings', () => {
  it('takes the password from the password file over the URL, and none when neither has one', () => {
    expect(postgresConnection('postgres://aal_app@127.0.0.1:24085/audit_index_hospital_a', 'from-file')).toEqual({
      host: '127.0.0.1',
      port: 24085,
      user: 'aal_app',
      database: 'audit_index_hospital_a',
      password: 'from-file',
      ssl: false,
    });
    expect(postgresConnection('postgresql://a%40b:p%2Fw@[::1]/d%20b')).toMatchObject({
      host: '::1',
      port: 5432,
      user: 'a@b',
      password: 'p/w',
      database: 'd b',
    });
    expect(postgresConnection('postgres://u@db.example/d?sslmode=verify-full')).toMatchObject({
      password: undefined,
      ssl: { rejectUnauthorized: true },
    });
    expect(() => postgresConnection('postgres://u@h/d?application_name=x')).toThrow(/unsupported parameter/);
  });

  it('shows a location without its password', () => {
    expect(
      describeLocation({ backend: 'postgres', url: 'postgres://u:hunter2@127.0.0.1:5432/d?sslmode=disable' }),
    ).toBe('postgres://u@127.0.0.1:5432/d');
    expect(describeLocation({ backend: 'sqlite', path: '/x/audit-index.sqlite' })).toBe('sqlite:/x/audit-index.sqlite');
  });

  it('reads bigint and numeric back as exact numbers, refusing what a number cannot hold', () => {
    expect(wholeNumber('6000000000')).toBe(6_000_000_000);
    expect(wholeNumber('0')).toBe(0);
    expect(() => wholeNumber('9007199254740993')).toThrow(/not a whole number below 2\^53/);
    expect(() => wholeNumber('1.5')).toThrow(RangeError);
  });
});
