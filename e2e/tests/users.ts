/** Demo users the journeys act as (see catalog/ and demoSignIn.users in app-config.yaml). */
export const DEVELOPER = 'carlos.garcia';
export const OWNER = 'priya.patel';
export const NON_OWNER = 'noah.kim';
