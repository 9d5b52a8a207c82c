import '@testing-library/jest-dom';

// The machines that run these tests are shared and slow; user-event journeys through dialogs
// take seconds there.
jest.setTimeout(60_000);
