import { mockServices } from '@backstage/backend-test-utils';
import {
  OwnerResolver,
  groupRefCandidates,
  UNKNOWN_OWNER,
} from './OwnerResolver';

const role = (tags: Record<string, string>, roleName = 'r', path = '/') => ({
  roleName,
  path,
  tags,
  arn: `arn:aws:iam::111111111111:role${path}${roleName}`,
});

function resolver(
  extra: Partial<Parameters<typeof OwnerResolver.create>[0]> = {},
) {
  const logger = mockServices.logger.mock();
  const owners = OwnerResolver.create(
    {
      tagKeys: ['owner', 'team'],
      rules: [
        { pathPrefix: '/aws-reserved/sso.amazonaws.com/', owner: 'security' },
        { namePattern: /^gha-/, owner: 'Platform' },
      ],
      default: 'group:default/sre',
      aliases: { 'Payments Team': 'payments' },
      ...extra,
    },
    logger,
  );
  return { owners, logger };
}

describe('groupRefCandidates', () => {
  it('normalises names, refs and team affixes', () => {
    expect(groupRefCandidates('Payments')).toEqual(['group:default/payments']);
    expect(groupRefCandidates('Mobile Squad')).toEqual([
      'group:default/mobile-squad',
      'group:default/mobile',
    ]);
    expect(groupRefCandidates('PLATFORM-ENG')).toEqual([
      'group:default/platform-eng',
      'group:default/platform',
    ]);
    expect(groupRefCandidates('group:identity')).toEqual([
      'group:default/identity',
    ]);
    expect(groupRefCandidates('group:ops/Payments')).toEqual([
      'group:ops/payments',
    ]);
    expect(groupRefCandidates('  ')).toEqual([]);
  });
});

describe('OwnerResolver', () => {
  it('takes the first tag key that names a known group, case-insensitively', () => {
    const { owners } = resolver();
    owners.setKnownGroups([
      'group:default/payments',
      'group:default/mobile',
      'group:default/platform',
    ]);
    expect(owners.resolve(role({ Owner: 'Payments Team' }))).toEqual({
      owner: 'group:default/payments',
      source: 'tag:owner',
    });
    expect(owners.resolve(role({ Team: 'Mobile Squad' }))).toEqual({
      owner: 'group:default/mobile',
      source: 'tag:team',
    });
    expect(
      owners.resolve(role({ owner: 'group:default/payments' })).owner,
    ).toBe('group:default/payments');
  });

  it('falls back to rules then the default, and warns once per unknown value', () => {
    const { owners, logger } = resolver();
    owners.setKnownGroups(['group:default/platform', 'group:default/security']);
    expect(owners.resolve(role({ owner: 'finops' }, 'gha-x'))).toEqual({
      owner: 'group:default/platform',
      source: 'rule',
    });
    expect(owners.resolve(role({ owner: 'finops' }, 'other'))).toEqual({
      owner: 'group:default/sre',
      source: 'default',
    });
    expect(
      owners.resolve(
        role(
          {},
          'AWSReservedSSO_Admin_0123456789abcdef',
          '/aws-reserved/sso.amazonaws.com/',
        ),
      ),
    ).toEqual({ owner: 'group:default/security', source: 'rule' });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('owner="finops"');
  });

  it('trusts tag values when the catalog groups are unknown', () => {
    const { owners, logger } = resolver();
    owners.setKnownGroups(undefined);
    expect(owners.resolve(role({ owner: 'data-team' })).owner).toBe(
      'group:default/data',
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('uses the unknown group when nothing decides and no default is set', () => {
    const { owners } = resolver({ default: undefined, rules: [] });
    expect(owners.resolve(role({}))).toEqual({
      owner: UNKNOWN_OWNER,
      source: 'none',
    });
  });
});
