import { accountEntityTitle, accountNameOfTitle } from './accountTitle';

describe('account entity titles', () => {
  it('writes the name beside the id and reads it back, for that account only', () => {
    const title = accountEntityTitle('111111111111', 'acme-production');
    expect(title).toBe('AWS account acme-production (111111111111)');
    expect(accountNameOfTitle(title, '111111111111')).toBe('acme-production');
    expect(accountNameOfTitle(title, '222222222222')).toBeUndefined();
    expect(accountEntityTitle('111111111111')).toBe('AWS account 111111111111');
    expect(
      accountNameOfTitle(accountEntityTitle('111111111111'), '111111111111'),
    ).toBeUndefined();
    expect(accountNameOfTitle(undefined, '111111111111')).toBeUndefined();
  });
});
