// Integration tests talk to a real network: submits wait for ordering and commit.
jest.setTimeout(120_000);
