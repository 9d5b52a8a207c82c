import { refOfRoleRevision, roleRevision } from './roleRevision';

describe('role revisions', () => {
  it('carry the entity ref, read back from the value', () => {
    const value = roleRevision(
      'resource:default/111111111111-deploy',
      '0123456789abcdef0123',
    );
    expect(value).toBe(
      'resource:default/111111111111-deploy@0123456789abcdef0123',
    );
    expect(refOfRoleRevision(value)).toBe(
      'resource:default/111111111111-deploy',
    );
  });

  it('are not read from values that are not revisions', () => {
    for (const value of ['', 'resource:default/x', '@abc', 'resource:x@']) {
      expect(refOfRoleRevision(value)).toBeUndefined();
    }
  });

  it('fit the 200 characters the catalog search table keeps, at the longest names', () => {
    const longest = roleRevision(
      `resource:${'n'.repeat(63)}/${'r'.repeat(63)}`,
      'f'.repeat(20),
    );
    expect(longest.length).toBeLessThanOrEqual(200);
  });
});
