// The e2e suite with every ledger on a wire-level KurrentDB test server (see ledger-harness.ts).
process.env.TRACELODE_E2E_STORE = 'kurrentdb';
jest.setTimeout(60000);
