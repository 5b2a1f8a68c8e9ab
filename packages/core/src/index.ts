export { fingerprintSecret, maskSecret, scrubSecrets, sha256Hex } from './secret';
