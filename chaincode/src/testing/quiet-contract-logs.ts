// fabric-contract-api logs every decorator at INFO through winston; unit test output should show
// test results. Read once when its logger is first required, so this runs before any test file.
process.env.CORE_CHAINCODE_LOGGING_LEVEL = 'error';
