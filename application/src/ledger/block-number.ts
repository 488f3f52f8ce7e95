/**
 * A block number as a client writes it (a write answer's `blockNumber`, `minBlock`, `startBlock`, an
 * event id's block): decimal, at most 15 digits. Below 10^15 a JS number states it exactly, and the
 * Fabric Gateway client takes it as one; a channel gets there only after millennia of blocks, so a
 * larger number is refused (400) rather than rounded to another block or failing inside the client.
 */
export const BLOCK_NUMBER_DIGITS = '0|[1-9][0-9]{0,14}';

/** {@link BLOCK_NUMBER_DIGITS} as a whole-string pattern. */
export const BLOCK_NUMBER_PATTERN = new RegExp(`^(${BLOCK_NUMBER_DIGITS})$`);
