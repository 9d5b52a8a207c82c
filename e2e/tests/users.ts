/** Demo users the journeys act as (see catalog/ and demoSignIn.users in app-config.yaml). */
export const DEVELOPER = 'jane.doe';
