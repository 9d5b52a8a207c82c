import { ConfigReader } from '@backstage/config';
import { readAllowedServicePrincipals } from './ActionCallers';

describe('readAllowedServicePrincipals', () => {
  const read = (allowedServicePrincipals: string[]) =>
    readAllowedServicePrincipals(
      new ConfigReader({ iamRoles: { actions: { allowedServicePrincipals } } }),
    );

  it('reads the subjects as Backstage names them', () => {
    expect(read(['incident-agent', 'plugin:scaffolder'])).toEqual([
      'incident-agent',
      'plugin:scaffolder',
    ]);
    expect(readAllowedServicePrincipals(new ConfigReader({}))).toEqual([]);
  });

  it('refuses a subject no principal can have, saying how to write one', () => {
    expect(() => read(['incident agent'])).toThrow(
      /iamRoles\.actions\.allowedServicePrincipals lists "incident agent", which is not a service principal subject.*e\.g\. incident-agent/,
    );
    expect(() => read(['user:default/jane'])).toThrow(
      /a user entity ref: a service principal acts as itself/,
    );
  });
});
