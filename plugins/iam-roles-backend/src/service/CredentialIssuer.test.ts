import {
  STS_CHAINING_MAX_SECONDS,
  sessionDurationSeconds,
  sessionIdentityOf,
} from './CredentialIssuer';

describe('sessionDurationSeconds', () => {
  it('takes the least of the grant, the cap and the chaining limit', () => {
    expect(
      sessionDurationSeconds({
        grantSecondsLeft: 7200,
        capMinutes: 60,
        roleChaining: false,
      }),
    ).toBe(3600);
    expect(
      sessionDurationSeconds({
        grantSecondsLeft: 1800.7,
        capMinutes: 60,
        roleChaining: false,
      }),
    ).toBe(1800);
    expect(
      sessionDurationSeconds({
        grantSecondsLeft: 14400,
        capMinutes: 240,
        roleChaining: false,
      }),
    ).toBe(14400);
    expect(
      sessionDurationSeconds({
        grantSecondsLeft: 14400,
        capMinutes: 240,
        roleChaining: true,
      }),
    ).toBe(STS_CHAINING_MAX_SECONDS);
  });
});

describe('sessionIdentityOf', () => {
  it('makes a SourceIdentity STS accepts from a user ref', () => {
    expect(sessionIdentityOf('user:default/jane.doe')).toBe('jane.doe');
    expect(sessionIdentityOf('user:partners/jane')).toBe('partners.jane');
    expect(sessionIdentityOf('user:default/jane doe/x')).toMatch(
      /^[\w+=,.@-]{2,64}$/,
    );
    expect(sessionIdentityOf(`user:default/${'a'.repeat(100)}`)).toHaveLength(
      64,
    );
    expect(sessionIdentityOf('user:default/j')).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
