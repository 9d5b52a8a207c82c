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
  const STS = /^[\w+=,.@-]{2,64}$/;

  it('makes a SourceIdentity STS accepts from a user ref', () => {
    expect(sessionIdentityOf('user:default/jane.doe')).toBe('jane.doe');
    expect(sessionIdentityOf('user:partners/jane')).toBe('partners=jane');
    expect(sessionIdentityOf('user:default/jane doe/x')).toMatch(STS);
    expect(sessionIdentityOf(`user:default/${'a'.repeat(100)}`)).toHaveLength(
      64,
    );
    expect(sessionIdentityOf('user:default/j')).toMatch(STS);
  });

  it('gives two users two identities (#18.5)', () => {
    expect(sessionIdentityOf('user:default/x.y')).not.toBe(
      sessionIdentityOf('user:x/y'),
    );
    // Refs differ only in case are one user in Backstage, and one identity.
    expect(sessionIdentityOf('user:default/Jane')).toBe(
      sessionIdentityOf('user:default/jane'),
    );
    // Every ref built from parts that invite collisions: separators at the joins, the lengths at
    // STS's limits, one-character names, characters outside STS's set.
    const parts = [
      'x',
      'y',
      'x.y',
      'x-y',
      'x_y',
      'x=y',
      'default',
      'a'.repeat(31),
      'a'.repeat(32),
      'a'.repeat(63),
      `${'a'.repeat(62)}b`,
      'j\u00f6rg',
      'j-rg',
    ];
    const seen = new Map<string, string>();
    const collisions: string[] = [];
    for (const namespace of parts) {
      for (const name of parts) {
        const ref = `user:${namespace}/${name}`;
        const identity = sessionIdentityOf(ref);
        expect(identity).toMatch(STS);
        const canonical =
          namespace === 'default' ? `user:default/${name}` : ref;
        const before = seen.get(identity);
        if (before !== undefined && before !== canonical) {
          collisions.push(`${before} and ${canonical} → ${identity}`);
        }
        seen.set(identity, canonical);
      }
    }
    expect(collisions).toEqual([]);
    expect(seen.size).toBe(parts.length * parts.length);
  });
});
