/**
 * Fabric's rule for channel names: lower case letters, digits, dots and dashes, starting with a
 * letter, at most 249 characters. The REST app's path parameter and the org tool's `--channel` both
 * check it.
 */
export const CHANNEL_NAME_PATTERN = /^[a-z][a-z0-9.-]{0,248}$/;
