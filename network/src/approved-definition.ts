/**
 * Whether a failed `peer lifecycle chaincode queryapproved` says only that the org has approved no
 * definition of `name` at `sequence` on `channel`: Fabric's wording (core/chaincode/lifecycle,
 * QueryApprovedChaincodeDefinition) ending the line, with nothing after it. The same wording followed
 * by `: <cause>` (an approval the peer cannot read), or any other failure, is not that answer.
 *
 * @example
 * isNoApprovedDefinition(
 *   "Error: query failed with status: 500 - could not fetch approved chaincode definition (name: 'aal', sequence: '1') on channel 'hospital-a'",
 *   'aal', 1, 'hospital-a',
 * ) // true
 */
export function isNoApprovedDefinition(message: string, name: string, sequence: number, channel: string): boolean {
  const answer = `could not fetch approved chaincode definition (name: '${name}', sequence: '${sequence}') on channel '${channel}'`;
  return message.split('\n').some((line) => line.trimEnd().endsWith(answer));
}
