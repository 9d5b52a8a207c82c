import { readInternalAccounts } from './internalAccounts';

function config(values?: unknown[]) {
  return {
    getOptionalStringArray: (key: string) =>
      key === 'iamRoles.internalAccounts' ? (values as string[]) : undefined,
  };
}

describe('readInternalAccounts', () => {
  it('reads iamRoles.internalAccounts once each, trimmed', () => {
    expect(
      readInternalAccounts(
        config(['111111111111', ' 222222222222', '111111111111']),
      ),
    ).toEqual(['111111111111', '222222222222']);
  });

  it('is empty when not configured', () => {
    expect(readInternalAccounts(config())).toEqual([]);
  });

  it('names the entry that is not an account id', () => {
    expect(() =>
      readInternalAccounts(config(['111111111111', '12345'])),
    ).toThrow(
      'iamRoles.internalAccounts[1] is "12345": expected a 12-digit AWS account id',
    );
  });
});
