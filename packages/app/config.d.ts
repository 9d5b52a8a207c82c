export interface Config {
  /** Development-only sign-in as any demo user (see packages/backend/src/modules/demoSignIn.ts). */
  demoSignIn?: {
    /**
     * Users offered on the sign-in page.
     * @visibility frontend
     */
    users: Array<{
      /**
       * User entity name in the catalog.
       * @visibility frontend
       */
      name: string;
      /**
       * What this user is in the demo, e.g. "developer in payments".
       * @visibility frontend
       */
      description?: string;
    }>;
  };
}
