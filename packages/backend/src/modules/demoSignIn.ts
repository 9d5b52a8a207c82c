import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
} from '@backstage/plugin-auth-node';

/** Header the demo sign-in page sends with the chosen user's entity name. */
export const DEMO_USER_HEADER = 'x-demo-user';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Development-only sign-in as any user of the catalog, so that one person can try the request and
 * approval flow from both sides. It refuses to load unless `auth.environment` is `development` and
 * `auth.providers.demo.development.enabled` is true: it must never run in production.
 */
export const demoSignInModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-sign-in-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const environment = config.getOptionalString('auth.environment');
        const enabled = config.getOptionalBoolean(
          'auth.providers.demo.development.enabled',
        );
        if (!enabled) {
          return;
        }
        if (environment !== 'development') {
          throw new Error(
            'auth.providers.demo is a development-only sign-in (anyone can act as any user); ' +
              `remove it, or set auth.environment to development (it is "${environment}")`,
          );
        }
        logger.warn(
          'Demo sign-in is enabled: anyone who reaches this backend can sign in as any catalog user',
        );
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async (result: {
                userName: string;
              }) => ({
                profile: { displayName: result.userName },
              }),
              initialize() {},
              async authenticate({ req }) {
                const userName = req.header(DEMO_USER_HEADER)?.trim();
                if (!userName) {
                  throw new NotAllowedError(
                    `Choose a demo user: the ${DEMO_USER_HEADER} header is missing`,
                  );
                }
                if (!USER_NAME.test(userName)) {
                  throw new InputError(
                    `"${userName}" is not a user entity name (lower-case letters, digits, ".", "_", "-")`,
                  );
                }
                return { result: { userName } };
              },
            }),
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: { kind: 'User', name: result.userName },
              });
            },
          }),
        });
      },
    });
  },
});
