import { readAccountNames, readInternalAccounts } from './internalAccounts';

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

/** A config holding `iamRoles.accountNames` as `values` gives it (the part readAccountNames reads). */
function namesConfig(values: {
  iamRoles?: { accountNames?: Record<string, string> };
}) {
  return {
    getOptional: (key: string) =>
      key === 'iamRoles.accountNames'
        ? values.iamRoles?.accountNames
        : undefined,
  };
}

describe('readAccountNames', () => {
  it('reads names by account id, and nothing when not configured', () => {
    expect(
      readAccountNames(
        namesConfig({
          iamRoles: {
            accountNames: { '464622532012': ' datadog ', '999999999999': '' },
          },
        }),
      ),
    ).toEqual({ '464622532012': 'datadog' });
    expect(readAccountNames(namesConfig({}))).toEqual({});
  });

  it('names the key that is not an account id', () => {
    expect(() =>
      readAccountNames(
        namesConfig({ iamRoles: { accountNames: { datadog: 'x' } } }),
      ),
    ).toThrow(
      'iamRoles.accountNames.datadog: expected a 12-digit AWS account id as the key',
    );
  });
});
